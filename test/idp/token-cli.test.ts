// `npm run token`: reads local mode's state file, asks the running local provider, prints only the token.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startIdentityProvider, type LocalIdentityProvider } from '../../local/idp/provider.js';
import { main } from '../../local/token-cli.js';
import { tokenKind } from '../../lambda/authorizer/claims.js';
import type { JsonObject } from '../../lambda/authorizer/compact-jwt.js';

let idp: LocalIdentityProvider;
let dir: string;

beforeAll(async () => {
  idp = await startIdentityProvider({ audience: 'data-job-gateway' });
  dir = await mkdtemp(join(tmpdir(), 'token-cli-'));
  await mkdir(join(dir, '.local'));
  await writeFile(join(dir, '.local', 'state-8080.json'), JSON.stringify({ issuer: idp.issuer, tokenEndpoint: idp.tokenEndpoint, gatewayUrl: 'http://127.0.0.1:8080', pid: process.pid }));
});

afterAll(async () => {
  await idp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with captured output; the token is only ever decoded, never printed. */
async function run(args: string[], cwd = dir) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { cwd, stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

it('prints a user token with the chosen subject, groups and scopes, and nothing else', async () => {
  const { code, stdout, stderr } = await run(['--sub', 'alice', '--groups', 'analysts,data-eng', '--scopes', 'jobs:read jobs:submit']);
  expect(code).toBe(0);
  expect(stderr).toBe('');
  expect(/^[\w-]+\.[\w-]+\.[\w-]+\n$/.test(stdout)).toBe(true);
  expect(decodeJwt(stdout.trim())).toMatchObject({ iss: idp.issuer, sub: 'alice', groups: ['analysts', 'data-eng'], scope: 'jobs:read jobs:submit' });
});

it('keeps spaces inside group names', async () => {
  const { stdout } = await run(['--sub', 'alice', '--groups', 'Data Engineers, analysts']);
  expect(decodeJwt(stdout.trim()).groups).toEqual(['Data Engineers', 'analysts']);
});

it('prints an agent token with --agent', async () => {
  const { code, stdout } = await run(['--agent', '--scopes', 'jobs:submit']);
  expect(code).toBe(0);
  expect(decodeJwt(stdout.trim())).toMatchObject({ sub: 'local-agent', client_id: 'local-agent', scope: 'jobs:submit' });
});

it('prints an agent token with groups with --agent --groups, which the gateway reads as an agent with those groups', async () => {
  const { code, stdout } = await run(['--agent', '--groups', 'etl-bots,analysts']);
  expect(code).toBe(0);
  const payload = decodeJwt(stdout.trim());
  expect(payload).toMatchObject({ sub: 'local-agent', client_id: 'local-agent', groups: ['etl-bots', 'analysts'] });
  expect(tokenKind(payload as JsonObject)).toBe('agent');
});

it('keeps one state file per instance: picks the one running, asks for --port when several run, ignores a dead one', async () => {
  const two = await mkdtemp(join(tmpdir(), 'token-cli-two-'));
  const state = (port: number, pid: number) => writeFile(join(two, '.local', `state-${port}.json`), JSON.stringify({ issuer: idp.issuer, tokenEndpoint: idp.tokenEndpoint, gatewayUrl: `http://127.0.0.1:${port}`, pid }));
  try {
    await mkdir(join(two, '.local'));
    await state(8080, process.pid);
    await state(9090, process.pid);
    const ambiguous = await run(['--sub', 'alice'], two);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('(ports 8080, 9090): pass --port <n>');
    expect((await run(['--sub', 'alice', '--port', '9090'], two)).code).toBe(0);
    // WHEN the instance on 8080 has stopped (its process is gone), the other one is found without --port
    await state(8080, 2 ** 22 + 12345);
    expect((await run(['--sub', 'alice'], two)).code).toBe(0);
  } finally {
    await rm(two, { recursive: true, force: true });
  }
});

it('says to start local mode first when the state file is missing', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'token-cli-empty-'));
  try {
    const { code, stdout, stderr } = await run(['--sub', 'alice'], empty);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('start local mode first: npm start');
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

it('says local mode may have stopped when the provider does not answer', async () => {
  const stale = await mkdtemp(join(tmpdir(), 'token-cli-stale-'));
  try {
    await mkdir(join(stale, '.local'));
    await writeFile(join(stale, '.local', 'state-8080.json'), JSON.stringify({ issuer: 'http://127.0.0.1:9', tokenEndpoint: 'http://127.0.0.1:9/token' }));
    const { code, stderr } = await run(['--sub', 'alice'], stale);
    expect(code).toBe(1);
    expect(stderr).toContain('npm start');
  } finally {
    await rm(stale, { recursive: true, force: true });
  }
});

it('refuses a state file whose token endpoint is not on this machine', async () => {
  const remote = await mkdtemp(join(tmpdir(), 'token-cli-remote-'));
  try {
    await writeFile(join(remote, 'state.json'), JSON.stringify({ issuer: 'https://idp.example.com', tokenEndpoint: 'https://idp.example.com/token' }));
    const { code, stderr } = await run(['--sub', 'alice', '--state', 'state.json'], remote);
    expect(code).toBe(2);
    expect(stderr).toContain('is not on this machine');
  } finally {
    await rm(remote, { recursive: true, force: true });
  }
});

it.each([
  [['--groups', 'analysts'], '--sub is required'],
  [['--agent', '--sub', 'alice'], 'have no --sub'],
  [['--sub', 'alice', '--port', 'x'], '--port must be'],
  [['--sub', 'alice', '--ttl', 'soon'], '--ttl must be'],
  [['--sub', 'alice', '--bogus'], "Unknown option '--bogus'"],
])('explains a bad command line: %j', async (args, message) => {
  const { code, stderr } = await run(args);
  expect(code).toBe(2);
  expect(stderr).toContain(message);
});

it('passes the provider\'s refusal on, without a token', async () => {
  const { code, stdout, stderr } = await run(['--sub', 'alice', '--ttl', '5']);
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toContain('invalid_request');
});
