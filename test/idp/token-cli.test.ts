// `npm run token`: reads local mode's state file, asks the running local provider, prints only the token.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startIdentityProvider, type LocalIdentityProvider } from '../../local/idp/provider.js';
import { main } from '../../local/token-cli.js';

let idp: LocalIdentityProvider;
let dir: string;

beforeAll(async () => {
  idp = await startIdentityProvider({ audience: 'data-job-gateway' });
  dir = await mkdtemp(join(tmpdir(), 'token-cli-'));
  await mkdir(join(dir, '.local'));
  await writeFile(join(dir, '.local', 'state.json'), JSON.stringify({ issuer: idp.issuer, tokenEndpoint: idp.tokenEndpoint, gatewayUrl: 'http://127.0.0.1:8080' }));
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
    await writeFile(join(stale, '.local', 'state.json'), JSON.stringify({ issuer: 'http://127.0.0.1:9', tokenEndpoint: 'http://127.0.0.1:9/token' }));
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
