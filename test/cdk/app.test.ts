// bin/app.ts as `cdk synth` runs it: a bad config or template is reported in one clean message, never a stack trace.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly outdir: string;
}

const dir = mkdtempSync(join(tmpdir(), 'djg-app-'));
const ISSUER = 'auth: {issuers: [{issuer: "https://idp.example.com", audience: jobs}]}\n';
const STACK_TRACE = /^\s+at /m;

/** Write a config file (and any extra files) into the scratch folder; returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Run the CDK app the way the CLI does: context and output directory in the environment. */
async function synth(config: string, context: Record<string, unknown> = {}): Promise<Run> {
  const outdir = mkdtempSync(join(dir, 'out-'));
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ config, ...context }) },
    });
    return { code: 0, stderr: '', outdir };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr, outdir };
  }
}

/** Run `npm start -- --config <file>` as npm does (tsx local/main.ts); a config it refuses ends it before anything listens. */
async function start(config: string): Promise<Omit<Run, 'outdir'>> {
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/main.ts', '--config', config], { cwd: PROJECT_ROOT, timeout: 60_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('bin/app.ts', () => {
  // GIVEN five configs; WHEN each is synthesized (in parallel: each run loads the whole CDK)
  const emptyTemplates = join(dir, 'no-templates');
  const badTemplates = join(dir, 'bad-templates');
  const configs = {
    badValue: file('bad.yaml', `${ISSUER}templatesDir: ${emptyTemplates}\nfunctions: {memorySize: 64}\n`),
    badTemplate: file('templates.yaml', `${ISSUER}templatesDir: ${badTemplates}\n`),
    unknownRoute: file('route.yaml', `${ISSUER}templatesDir: ${emptyTemplates}\napi: {routeThrottles: {"GET /nope": {rateLimit: 1, burstLimit: 1}}}\n`),
    nothingToRotate: file('rotation.yaml', `${ISSUER}templatesDir: ${emptyTemplates}
rotation: {enabled: true}
`),
    untrustedGroup: file(
      'groups.yaml',
      `auth: {issuers: [{issuer: "https://idp.example.com", audience: jobs, trustedGroups: [analysts]}]}
access: {adminGroups: [data-platform-admins]}
templatesDir: ${join(dir, 'partner-templates')}
databricks: {host: "https://adb-1.1.azuredatabricks.net", credentials: {type: pat}}
`,
    ),
  };
  file(
    'partner-templates/partner.yaml',
    'id: partner-report\ndescription: d\nbackend: databricks\nallowedGroups: [analysts, partners]\nparameters: {type: object, additionalProperties: false, properties: {}}\ndatabricks: {runNow: {jobId: 1}}\n',
  );
  mkdirSync(emptyTemplates, { recursive: true });
  file('bad-templates/broken.yaml', 'id: broken\n');
  const runs: Partial<Record<keyof typeof configs | 'example', Run>> = {};
  let started: Omit<Run, 'outdir'>;

  beforeAll(async () => {
    const [entries, npmStart] = await Promise.all([
      Promise.all([
        ...Object.entries(configs).map(async ([name, path]) => [name, await synth(path)] as const),
        // Without bundling: real bundling is tested in gateway-function.test.ts and by `npx cdk synth`.
        synth('config/example.yaml', { 'aws:cdk:bundling-stacks': [] }).then((r) => ['example', r] as const),
      ]),
      start(configs.nothingToRotate),
    ]);
    Object.assign(runs, Object.fromEntries(entries));
    started = npmStart;
  }, 240_000);

  it('reports a config error with the file, field and value, and exits 1 without a stack trace', () => {
    const { code, stderr } = runs.badValue!;
    expect(code).toBe(1);
    expect(stderr).toContain(`${configs.badValue}: invalid config`);
    expect(stderr).toContain('/functions/memorySize must be >= 128 (got 64)');
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it('reports groups no issuer may assert, naming the config, the template file, the field and the fix', () => {
    const { code, stderr } = runs.untrustedGroup!;
    expect(code).toBe(1);
    expect(stderr).toContain(`${configs.untrustedGroup}: invalid config`);
    expect(stderr).toContain('/access/adminGroups/0 names "data-platform-admins", which no issuer may assert: add "data-platform-admins" to /auth/issuers/<n>/trustedGroups');
    expect(stderr).toContain(`${join(dir, 'partner-templates', 'partner.yaml')}: /allowedGroups/1 names "partners", which no issuer may assert`);
    expect(stderr).not.toContain('"analysts"');
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it('reports a bad template by its file', () => {
    const { code, stderr } = runs.badTemplate!;
    expect(code).toBe(1);
    expect(stderr).toContain(join(badTemplates, 'broken.yaml'));
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it('reports a setting the constructs refuse (a throttle for an unknown route) against the config file', () => {
    const { code, stderr } = runs.unknownRoute!;
    expect(code).toBe(1);
    expect(stderr).toContain(`${configs.unknownRoute}: invalid config\n  - /api/routeThrottles names "GET /nope", which is not a route`);
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it('refuses rotation.enabled with no credential to rotate, naming the file, the field and the fix', () => {
    const { code, stderr } = runs.nothingToRotate!;
    expect(code).toBe(1);
    expect(stderr).toContain(`${configs.nothingToRotate}: invalid config\n  - ${configs.nothingToRotate}:3:21 /rotation/enabled is true, but this config holds no credential to rotate`);
    expect(stderr).toContain('Remove /rotation/enabled (or set it to false)');
    expect(stderr).not.toMatch(STACK_TRACE);
    // npm start loads the same config the same way
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`${configs.nothingToRotate}: invalid config\n  - ${configs.nothingToRotate}:3:21 /rotation/enabled is true, but this config holds no credential to rotate`);
  });

  it('synthesizes config/example.yaml (the default) with cdk-nag on and no errors', () => {
    const { code, stderr, outdir } = runs.example!;
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(code).toBe(0);
    expect(existsSync(join(outdir, 'DataJobGateway.template.json'))).toBe(true);
  });
});
