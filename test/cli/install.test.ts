// Installing djg the way docs/analysts.md says: npm install -g from the repository, then djg from any directory.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from '@jest/globals';

const run = promisify(execFile);

it('installs globally from the repository (no build step, nothing downloaded) and runs from any directory', async () => {
  const prefix = mkdtempSync(join(tmpdir(), 'djg-prefix-'));
  await run('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, resolve('.')], { env: { ...process.env, npm_config_update_notifier: 'false' } });
  const elsewhere = mkdtempSync(join(tmpdir(), 'djg-cwd-'));
  const version = await run(join(prefix, 'bin', 'djg'), ['--version'], { cwd: elsewhere, env: { PATH: process.env.PATH!, HOME: elsewhere } });
  expect(version.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  // the install is a link to this checkout: a git pull updates djg
  expect(realpathSync(join(prefix, 'lib', 'node_modules', 'data-job-gateway'))).toBe(realpathSync('.'));
  const help = await run(join(prefix, 'bin', 'djg'), ['submit', '--help'], { cwd: elsewhere, env: { PATH: process.env.PATH!, HOME: elsewhere } });
  expect(help.stdout).toContain('Usage: djg submit [options] <template>');
});
