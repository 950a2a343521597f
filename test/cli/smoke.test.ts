// `npm run smoke`, run as a user runs it (a subprocess) against local mode: every check passes on a healthy gateway,
// and a wrong URL, a bad token or a bad command line fail with the exit status and lines that say so.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';

let gw: TestGateway;
let token: string;
let tokenFile: string;

beforeAll(async () => {
  // Jobs stay RUNNING long enough to be cancelled.
  gw = await startTestGateway({ adjust: (c) => (c.local.dataproc.stepMs = 60_000) });
  token = await gw.token('alice', ['analysts']);
  tokenFile = join(mkdtempSync(join(tmpdir(), 'smoke-')), 'token');
  writeFileSync(tokenFile, `${token}\n`);
}, 60_000);
afterAll(() => gw?.stop());

async function smoke(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/smoke.ts', ...args], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lines = (stdout: string) => stdout.trim().split('\n');
const checkNames = (stdout: string) => lines(stdout).filter((l) => /^[✓✗] /.test(l)).map((l) => `${l[0]} ${l.slice(2, 18).trim()}`);

it('passes every check, submits, reads and cancels a real job, and never prints the token', async () => {
  // WHEN
  const run = await smoke(['--url', gw.local.url, '--token-command', `cat ${tokenFile}`, '--submit', 'daily-sales-etl']);

  // THEN
  expect(checkNames(run.stdout)).toEqual(['✓ unauthenticated', '✓ unknown route', '✓ openapi', '✓ token', '✓ templates', '✓ dry-run', '✓ submit', '✓ status', '✓ cancel']);
  expect(run.stdout).toContain('GET /templates without a token → 401 problem+json, WWW-Authenticate: Bearer\n');
  expect(run.stdout).toMatch(/POST \/jobs\?dryRun=true daily-sales-etl → 200 dataproc: POST http:\/\/127\.0\.0\.1:\d+\/v1\/projects\/.*\/jobs:submit/);
  expect(lines(run.stdout).at(-1)).toBe('all checks passed');
  expect(run.code).toBe(0);
  expect(run.stdout + run.stderr).not.toContain(token);

  // AND the job it submitted was really cancelled
  const id = /POST \/jobs daily-sales-etl → 202 (job-[a-z2-7]{26})/.exec(run.stdout)![1]!;
  const job = await gw.call('GET', `/jobs/${id}`, { token });
  expect(['CANCELLING', 'CANCELLED']).toContain(job.body.status);
}, 60_000);

it('without a token checks what needs none, and says what it skipped', async () => {
  const run = await smoke(['--url', `${gw.local.url}/`]);
  expect(checkNames(run.stdout)).toEqual(['✓ unauthenticated', '✓ unknown route', '✓ openapi']);
  expect(run.stdout).toContain('(no --token: /templates, the dry-run and --submit need one)');
  expect(run.code).toBe(0);
}, 60_000);

it('fails with exit 1 when the token is refused', async () => {
  const run = await smoke(['--url', gw.local.url, '--token', 'not-a-jwt']);
  expect(checkNames(run.stdout)).toEqual(['✓ unauthenticated', '✓ unknown route', '✓ openapi', '✓ token', '✗ templates', '✗ dry-run']);
  expect(run.stdout).toContain('✗ templates        expected 200, got 401 application/problem+json "Missing or invalid token"');
  expect(lines(run.stdout).at(-1)).toBe('2 checks failed');
  expect(run.code).toBe(1);
}, 60_000);

it('fails with exit 1 when nothing answers at the URL', async () => {
  // GIVEN a port nothing listens on
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const run = await smoke(['--url', `http://127.0.0.1:${port}`, '--timeout', '10']);
  expect(checkNames(run.stdout)).toEqual(['✗ unauthenticated', '✗ unknown route', '✗ openapi']);
  expect(run.stdout).toContain('could not connect: ECONNREFUSED');
  expect(run.code).toBe(1);
}, 60_000);

it.each([
  [[], '--url is required'],
  [['--url', 'http://gateway.example.com/v1'], '--url must be https (plain http only to local mode on this machine)'],
  [['--url', 'https://x.example.com', '--token', 't', '--token-command', 'echo t'], 'give --token or --token-command, not both'],
  [['--url', 'https://x.example.com', '--submit', 'daily-sales-etl'], '--submit needs --token or --token-command'],
  [['--url', 'https://x.example.com', '--token', 't', '--parameters', '[1]'], '--parameters must be a JSON object'],
  [['--url', 'https://x.example.com', '--colour'], "Unknown option '--colour'"],
])('refuses the command line %j with exit 2 and the usage', async (args, message) => {
  const run = await smoke(args);
  expect(run.stderr).toContain(`smoke: ${message}`);
  expect(run.stderr).toContain('usage: npm run smoke -- --url <api-url>');
  expect(run.stdout).toBe('');
  expect(run.code).toBe(2);
}, 60_000);
