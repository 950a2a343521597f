// `npm run validate`: the checks cdk synth runs (bin/check-project.ts), with errors that point at file:line:column.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkProject } from '../../bin/check-project.js';
import { ConfigError } from '../../lib/config.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'validate-'));
  mkdirSync(join(dir, 'templates'));
  copyFileSync('templates/daily-sales-etl.yaml', join(dir, 'templates', 'daily-sales-etl.yaml'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The problems checkProject reports for a config file with this text. */
function problems(yaml: string): string[] {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yaml);
  try {
    checkProject(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const ISSUER = (extra: string) => `name: X\ntemplatesDir: ${join(dir, 'templates')}\nauth:\n  issuers:\n    - issuer: https://idp.example.com\n${extra}`;

it('points an unknown key at its line and column and suggests the known one', () => {
  const file = join(dir, 'gateway.yaml');
  expect(problems(ISSUER('      audience: api\n      audiance: x\n'))).toEqual([`${file}:7:17 /auth/issuers/0/audiance is not a known field; did you mean "audience"?`]);
});

it('lists the allowed values of an enum', () => {
  expect(problems(ISSUER('      audience: api\n      tokenUse: acess\n'))).toEqual([expect.stringMatching(/gateway\.yaml:7:17 \/auth\/issuers\/0\/tokenUse must be one of "access", "id" \(got "acess"\)$/)]);
});

it('reports a group a template names that no issuer may assert', () => {
  expect(problems(ISSUER('      audience: api\n      trustedGroups: [analysts]\n'))).toEqual([expect.stringContaining('/allowedGroups/1 names "data-eng", which no issuer may assert')]);
});

it('npm run validate passes the shipped example config and its templates, and fails a broken one with exit 1', () => {
  expect(execFileSync('npx', ['tsx', 'bin/validate.ts', '--config', 'config/example.yaml'], { encoding: 'utf8' })).toMatch(/^config\/example\.yaml and \d+ templates are valid/);
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'name: X\nregon: eu-west-1\n');
  let status = 0;
  let stderr = '';
  try {
    execFileSync('npx', ['tsx', 'bin/validate.ts', '--config', broken], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    ({ status, stderr } = err as { status: number; stderr: string });
  }
  expect(status).toBe(1);
  expect(stderr).toContain(`${broken}:2:8 /regon is not a known field`);
});
