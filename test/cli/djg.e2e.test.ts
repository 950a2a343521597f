// djg as analysts and scripts use it: bin/djg.mjs in child processes (no terminal) against local mode, signing in at
// the local identity provider (the test plays the browser), running jobs on the Dataproc and Databricks emulators.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import YAML from 'yaml';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { ManualClock } from '../../local/emulators/faults.js';
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';
import { TestBrowser } from '../idp/browser.js';
import { DjgProcess, djgEnv, newHome, runDjg } from './djg-process.js';

jest.setTimeout(120_000);

// A template with a free-form argument, to drive the emulators' documented failure marker (EMULATOR_FAIL).
const probe = parseTemplate(
  `id: probe-dataproc
description: probe
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [argument], properties: {argument: {type: string, maxLength: 64}}}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/probe.py, args: ["{{argument}}"]}}}
`,
  'probe-dataproc.yaml',
);

let gw: TestGateway;
const alice = newHome();
let env: Record<string, string>;
const djg = (...args: string[]) => runDjg(args, env);
const FAST = ['--interval', '100ms'];

/** Signs in with the device flow: djg prints the code, the test confirms it in the browser as `user`. */
async function deviceLogin(home: { home: string; config: string }, user: string, groups: string, extra: string[] = []) {
  const login = new DjgProcess(['login', '--device', '--url', gw.local.url, '--issuer', gw.local.idp!.issuer, ...extra], djgEnv(home));
  const [, link] = await login.waitFor(/\(or open (http:\/\/\S+user_code=\S+)\)/);
  const browser = new TestBrowser();
  const confirm = await browser.submit(await browser.open(link!));
  const signIn = await browser.submit(confirm);
  await browser.submit(signIn, { username: user, groups });
  return login.exited;
}

beforeAll(async () => {
  gw = await startTestGateway({ templates: [...loadTemplateDir('templates'), probe] });
  const login = await deviceLogin(alice, 'alice', 'analysts, data-science');
  expect({ code: login.code, stderr: login.stderr }).toMatchObject({ code: 0 });
  env = djgEnv(alice);
});
afterAll(() => gw?.stop());

describe('djg login', () => {
  it('signs in with the device flow, remembers the profile, and keeps the tokens private', () => {
    const config = YAML.parse(readFileSync(join(alice.config, 'djg', 'config.yaml'), 'utf8'));
    expect(config.profiles.default).toEqual({ url: gw.local.url, issuer: gw.local.idp!.issuer });
    const tokens = join(alice.config, 'djg', 'tokens', 'default.json');
    expect(statSync(tokens).mode & 0o777).toBe(0o600);
    expect(statSync(join(alice.config, 'djg', 'tokens')).mode & 0o777).toBe(0o700);
    expect(statSync(join(alice.config, 'djg')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(tokens, 'utf8'))).toMatchObject({ issuer: gw.local.idp!.issuer, clientId: 'djg', refreshToken: expect.any(String) });
  });

  it('whoami shows the principal the gateway sees, its groups and expiry, and never the token', async () => {
    const { accessToken, refreshToken } = JSON.parse(readFileSync(join(alice.config, 'djg', 'tokens', 'default.json'), 'utf8'));
    const table = await djg('whoami');
    const json = await djg('whoami', '-o', 'json');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`principal: +${gw.local.idp!.issuer}#alice\\n`));
    expect(table.stdout).toMatch(/groups: +analysts, data-science\n/);
    expect(JSON.parse(json.stdout)).toMatchObject({ subject: 'alice', kind: 'user', groups: ['analysts', 'data-science'], scopes: ['jobs:read', 'jobs:submit', 'jobs:cancel'], tokenSource: 'login', expiresAt: expect.any(String) });
    for (const out of [table.stdout, table.stderr, json.stdout, json.stderr]) {
      expect(out).not.toContain(accessToken);
      expect(out).not.toContain(refreshToken);
    }
  });

  it('signs in through the browser: PKCE with a loopback redirect, the test playing the browser', async () => {
    // GIVEN djg waiting for the browser, another profile
    const login = new DjgProcess(['login', '--profile', 'second', '--url', gw.local.url, '--issuer', gw.local.idp!.issuer, '--no-browser'], env);
    const [authorizationUrl] = await login.waitFor(/http:\/\/127\.0\.0\.1:\d+\/auth\?\S+/);
    expect(new URL(authorizationUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect(new URL(authorizationUrl).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    // WHEN the person signs in; the browser follows the redirect to djg's loopback server
    const browser = new TestBrowser();
    const landed = await browser.submit(await browser.open(authorizationUrl), { username: 'bob', groups: 'analysts' });
    // THEN djg has its tokens, and the browser was told so
    expect(landed.html).toContain('Signed in');
    expect((await login.exited).code).toBe(0);
    expect(JSON.parse((await djg('whoami', '--profile', 'second', '-o', 'json')).stdout)).toMatchObject({ subject: 'bob', groups: ['analysts'], profile: 'second' });
  });

  it('refreshes an expired sign-in silently, and renews a token the gateway refuses', async () => {
    const home = newHome();
    await deviceLogin(home, 'erin', 'analysts');
    const file = join(home.config, 'djg', 'tokens', 'default.json');
    const before = JSON.parse(readFileSync(file, 'utf8'));
    // GIVEN a cached sign-in whose access token has expired
    writeFileSync(file, JSON.stringify({ ...before, expiresAt: '2020-01-01T00:00:00.000Z' }));
    chmodSync(file, 0o600);
    // WHEN a command runs, THEN it succeeds with a new token, written back to the cache, and says nothing about it
    const run = await runDjg(['templates', '-o', 'json'], djgEnv(home));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now());
    // AND a token the gateway refuses (401) is renewed once with the refresh token
    writeFileSync(file, JSON.stringify({ ...after, accessToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }));
    chmodSync(file, 0o600);
    expect((await runDjg(['whoami', '-o', 'json'], djgEnv(home))).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).accessToken).not.toBe(after.accessToken);
  });

  it('logout forgets the sign-in; then commands ask for a login (exit 3)', async () => {
    const home = newHome();
    await deviceLogin(home, 'frank', 'analysts');
    expect((await runDjg(['logout'], djgEnv(home))).stderr).toContain('Logged out of profile "default"; the refresh token was revoked');
    const after = await runDjg(['templates'], djgEnv(home));
    expect(after.code).toBe(3);
    expect(after.stderr).toContain('not logged in (profile "default"): run djg login');
  });
});

describe('djg submit --wait --logs', () => {
  it('runs a Dataproc job to SUCCEEDED, streaming the driver output to stderr and printing the job as JSON', async () => {
    const run = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-11-21', '-p', 'shards=4', '--wait', '--logs', ...FAST, '-o', 'json');
    expect(run.code).toBe(0);
    const job = JSON.parse(run.stdout);
    // -p values are typed by the template's schema: shards is the integer 4
    expect(job).toMatchObject({ template: 'daily-sales-etl', backend: 'dataproc', status: 'SUCCEEDED', parameters: { date: '2026-11-21', shards: 4 } });
    expect(run.stderr).toMatch(/^idempotency key: djg-[a-z2-7]{26}\nsubmitted job job-/);
    expect(run.stderr).toContain('INFO DataprocDriver: arguments: --date 2026-11-21 --shards 4\n');
    expect(run.stderr).toContain('INFO SparkContext: Successfully stopped SparkContext\n');
  });

  it('without a terminal, prints one plain line per change of state, no spinner', async () => {
    const run = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-11-22', '--wait', ...FAST);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/\r|\x1b\[/);
    const states = run.stderr.split('\n').filter((l) => /^job-[a-z2-7]{26} [A-Z]/.test(l)).map((l) => l.split(' ')[1]! + (l.match(/\(([^)]+)\)/)?.[1] ?? ''));
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.every((s, i) => i === 0 || s !== states[i - 1])).toBe(true);
    expect(states[states.length - 1]).toBe('SUCCEEDEDDONE');
    expect(run.stdout).toMatch(/^id: +job-[a-z2-7]{26}\n(.*\n)*status: +SUCCEEDED\n/);
  });

  it('runs a Databricks job to SUCCEEDED with its tasks\' output, the boolean parameter typed', async () => {
    const run = await djg('submit', 'refresh-ml-features', '-p', 'featureGroup=orders', '-p', 'fullRefresh=true', '--logs', ...FAST, '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ backend: 'databricks', status: 'SUCCEEDED', parameters: { featureGroup: 'orders', fullRefresh: true } });
    expect(run.stderr).toMatch(/==> task compute_features \(run \d+\): TERMINATED\/SUCCESS <==\n.*INFO starting compute_features/);
    expect(run.stderr).toContain('notebook exit value: {"status":"ok","rows_written":1234}\n');
  });

  it('exits 1 when the job ends FAILED, with the backend\'s message and traceback', async () => {
    const run = await djg('submit', 'probe-dataproc', '-p', 'argument=EMULATOR_FAIL', '--logs', ...FAST, '-o', 'json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'FAILED', backendStatus: 'ERROR', message: expect.stringContaining('EMULATOR_FAIL') });
    expect(run.stderr).toContain('RuntimeError: EMULATOR_FAIL\n');
  });
});

describe('following, listing and reading jobs', () => {
  let id: string;
  beforeAll(async () => {
    const submitted = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-11-23', '-o', 'json');
    expect(submitted.code).toBe(0);
    id = JSON.parse(submitted.stdout).id;
  });

  it('logs --follow prints the driver output on stdout until the job has ended and all of it is read', async () => {
    const run = await djg('logs', id, '--follow', ...FAST);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d{2}\/\d{2}\/\d{2} [\d:]{8} INFO SparkEnv: Registering MapOutputTracker\n/);
    expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/INFO SparkContext: Successfully stopped SparkContext$/);
    // read again once complete: the same output, and logs -o json gives the API's chunks
    expect((await djg('logs', id)).stdout).toBe(run.stdout);
    const chunks = (await djg('logs', id, '-o', 'json')).stdout;
    expect(JSON.parse(chunks)).toEqual({ text: run.stdout, nextOffset: Buffer.byteLength(run.stdout), complete: true });
  });

  it('status and wait print the job; wait exits with its outcome', async () => {
    expect(JSON.parse((await djg('wait', id, ...FAST, '-o', 'json')).stdout).status).toBe('SUCCEEDED');
    const status = await djg('status', id, '-o', 'yaml');
    expect(status.code).toBe(0);
    expect(YAML.parse(status.stdout)).toMatchObject({ id, status: 'SUCCEEDED', links: { console: expect.stringContaining('console.cloud.google.com') } });
    expect((await djg('open', id)).stdout).toMatch(/^https:\/\/console\.cloud\.google\.com\/dataproc\/jobs\/job-/);
  });

  it('ls -o json gives the API\'s job objects, newest first, filtered', async () => {
    const run = await djg('ls', '--template', 'daily-sales-etl', '--state', 'SUCCEEDED', '--limit', '2', '-o', 'json');
    expect(run.code).toBe(0);
    const { jobs } = JSON.parse(run.stdout);
    expect(jobs).toHaveLength(2);
    expect(jobs.every((j: { template: string; status: string }) => j.template === 'daily-sales-etl' && j.status === 'SUCCEEDED')).toBe(true);
    expect(Date.parse(jobs[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(jobs[1].createdAt));
    expect(Object.keys(jobs[0])).toEqual(expect.arrayContaining(['id', 'template', 'backend', 'status', 'backendStatus', 'parameters', 'principal', 'createdAt', 'links']));
  });

  it('templates show lists parameters with types, defaults and allowed values', async () => {
    const run = await djg('templates', 'show', 'churn-features-serverless');
    expect(run.stdout).toMatch(/backend: +dataproc\n/);
    expect(run.stdout).toMatch(/segment +string +"all" +all, enterprise, smb/);
    expect(run.stdout).toMatch(/from +string \(date\) +yes/);
  });
});

describe('exit codes', () => {
  it('2: a usage error, and parameters the template refuses (with each field error and the request id)', async () => {
    const bogus = await djg('ls', '--bogus');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("unknown option '--bogus'");
    const badType = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-11-21', '-p', 'shards=many');
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('djg: -p shards: expects integer, got "many"');
    const refused = await djg('submit', 'daily-sales-etl', '-p', 'date=yesterday');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/djg: Parameters do not match the template \(HTTP 422\): 1 parameter error\n {2}\/parameters\/date: must match pattern .*\n {2}request id: [\w-]+\n/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('3: a token the gateway refuses, and a request the caller is not allowed to make', async () => {
    const refused = await runDjg(['templates'], { ...env, DJG_TOKEN: 'not-a-token' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('Missing or invalid token');
    const forbidden = await djg('ls', '--principal', `${gw.local.idp!.issuer}#someone-else`);
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toContain('only auditors and admins may list the jobs of another principal');
  });

  it('4: a job that does not exist', async () => {
    const run = await djg('status', 'job-aaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^djg: Unknown job \(HTTP 404\): no job job-a+\n {2}request id: /);
  });

  it('5: a backend that keeps failing, and a gateway that cannot be reached', async () => {
    gw.local.dataproc!.faults.settings = { errorRate: 1, kinds: ['503'], latencyMs: 0 };
    try {
      const run = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-12-01', '-o', 'json');
      expect(run.code).toBe(5);
      // -o json: the problem as JSON on stderr, for scripts
      expect(JSON.parse(run.stderr.slice(run.stderr.indexOf('{')))).toMatchObject({ status: 503, backend: 'dataproc', requestId: expect.any(String) });
    } finally {
      gw.local.dataproc!.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
    }
    const unreachable = await runDjg(['templates', '--url', 'http://127.0.0.1:9'], env);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain('cannot reach the gateway at http://127.0.0.1:9');
  });

  it('re-running a command that never heard back sends the same idempotency key: one job; a later run is a new job', async () => {
    // GIVEN a submit whose backend call fails, so the command never gets its job
    gw.local.dataproc!.faults.settings = { errorRate: 1, kinds: ['503'], latencyMs: 0 };
    const failed = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-12-02', '-o', 'json');
    gw.local.dataproc!.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
    expect(failed.code).toBe(5);
    const key = /idempotency key: (\S+)/.exec(failed.stderr)![1];
    // WHEN the same command runs again
    const retried = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-12-02', '-o', 'json');
    // THEN it sends the same key: the gateway finishes the job the first run reserved
    expect(retried.code).toBe(0);
    expect(retried.stderr).toContain('never heard back: sending it again with the same idempotency key');
    expect(/idempotency key: (\S+)/.exec(retried.stderr)![1]).toBe(key);
    // AND a deliberate third run is a second job
    const again = await djg('submit', 'daily-sales-etl', '-p', 'date=2026-12-02', '-o', 'json');
    expect(/idempotency key: (\S+)/.exec(again.stderr)![1]).not.toBe(key);
    expect(JSON.parse(again.stdout).id).not.toBe(JSON.parse(retried.stdout).id);
  });
});

describe('waiting on jobs that take their time', () => {
  // A second local mode whose emulators run on a clock the test steps: jobs move only when the test says so.
  const clock = new ManualClock();
  let slow: TestGateway;
  let slowEnv: Record<string, string>;
  const submitSlow = async () => JSON.parse((await runDjg(['submit', 'daily-sales-etl', '-p', 'date=2026-11-21', '-o', 'json'], slowEnv)).stdout).id as string;

  beforeAll(async () => {
    slow = await startTestGateway({ clock });
    // agents and CI: a token from DJG_TOKEN_COMMAND, no sign-in
    const token = await slow.token('grace', ['analysts']);
    const home = newHome();
    writeFileSync(join(home.home, 'token.sh'), `#!/bin/sh\necho '${token}'\n`, { mode: 0o700 });
    slowEnv = djgEnv(home, { DJG_URL: slow.local.url, DJG_TOKEN_COMMAND: join(home.home, 'token.sh') });
  });
  afterAll(() => slow?.stop());

  it('130: Ctrl-C while waiting leaves the job running and prints the command to re-attach', async () => {
    const id = await submitSlow();
    const waiting = new DjgProcess(['wait', id, '--logs', ...FAST], slowEnv);
    await waiting.waitFor(new RegExp(`${id} QUEUED \\(PENDING\\)`));
    waiting.child.kill('SIGINT');
    const run = await waiting.exited;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`interrupted: job ${id} goes on (QUEUED). Re-attach with: djg wait ${id} --logs`);
    expect((await slow.call('GET', `/jobs/${id}`, { token: await slow.token('grace', ['analysts']) })).body.status).toBe('QUEUED');
  });

  it('--cancel-on-interrupt cancels the job on Ctrl-C instead', async () => {
    const id = await submitSlow();
    const waiting = new DjgProcess(['wait', id, '--cancel-on-interrupt', ...FAST], slowEnv);
    await waiting.waitFor(new RegExp(`${id} QUEUED`));
    waiting.child.kill('SIGINT');
    const run = await waiting.exited;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`interrupted: cancellation of ${id} requested (CANCELLING)`);
  });

  it('cancel --wait follows the job until it is CANCELLED (exit 0)', async () => {
    const id = await submitSlow();
    const cancelling = new DjgProcess(['cancel', id, '--wait', ...FAST], slowEnv);
    await cancelling.waitFor(new RegExp(`${id} CANCELLING`));
    clock.advance(60_000);
    const run = await cancelling.exited;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/status: +CANCELLED\n/);
    // cancelling a job that has ended CANCELLED again is no error; one that SUCCEEDED is (exit 1)
    expect((await runDjg(['cancel', id], slowEnv)).code).toBe(0);
  });

  it('124: --timeout stops waiting, the job goes on', async () => {
    const id = await submitSlow();
    const run = await runDjg(['wait', id, '--timeout', '300ms', ...FAST], slowEnv);
    expect(run.code).toBe(124);
    expect(run.stderr).toContain(`still QUEUED after --timeout 300ms: job ${id} goes on (QUEUED). Re-attach with: djg wait ${id}`);
  });
});

describe('djg audit and completion', () => {
  it('runs the saved audit queries over local mode\'s audit log, output reads included', async () => {
    const run = await djg('audit', 'submissions', '--since', '1h', '--local', gw.local.auditLogFile, '-o', 'json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { template: string; 'principal.subject': string }[];
    expect(rows.some((r) => r.template === 'refresh-ml-features' && r['principal.subject'] === 'alice')).toBe(true);
    const lines = readFileSync(gw.local.auditLogFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.event === 'job.output_read' && l.principal.subject === 'alice')).toBe(true);
  });

  it('completes commands, options and option values in bash', async () => {
    const script = (await djg('completion', 'bash')).stdout;
    const cases: string[][] = [
      ['djg', 'su'],
      ['djg', 'templates', ''],
      ['djg', 'submit', 'daily-sales-etl', '--ti'],
      ['djg', '-o', 'json', 'ls', '--st'],
      ['djg', 'ls', '-o', ''],
      ['djg', 'audit', 'who'],
    ];
    // one bash runs every case: COMP_WORDS as bash fills it for a command line, one line of answers per case
    const program = [script, ...cases.map((words) => `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _djg; echo "\${COMPREPLY[*]}"`)].join('\n');
    const { execFile } = await import('node:child_process');
    const answers = await new Promise<string[]>((resolve, reject) => execFile('bash', ['-c', program], (err, out) => (err ? reject(err) : resolve(out.trimEnd().split('\n')))));
    expect(answers).toEqual(['submit', 'show', '--timeout', '--state', 'table json yaml', 'who-ran']);
  });
});
