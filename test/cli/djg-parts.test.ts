// The parts of djg that decide something on their own: -p typing by the template's schema, the default idempotency
// key of a command, the token cache's file modes, the config file's checks, and the routes djg calls.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROUTES_DJG_CALLS, route } from '../../cli/api-routes.js';
import { exitCodeFor } from '../../cli/api-client.js';
import { TokenCache, type CachedLogin } from '../../cli/auth/token-cache.js';
import { CliError, UsageError } from '../../cli/errors.js';
import { parseDuration } from '../../cli/job-watch.js';
import { parseParamFlags, readParamsFile } from '../../cli/params.js';
import { configDir, readConfigFile, resolveSettings, saveProfile } from '../../cli/settings.js';
import { commandFingerprint, SubmissionNotes } from '../../cli/submissions.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { ROUTES } from '../../contract/routes.js';

const templates = Object.fromEntries(loadTemplateDir('templates').map((t) => [t.id, t]));
const dir = () => mkdtempSync(join(tmpdir(), 'djg-parts-'));

describe('-p name=value, typed by the template\'s parameter schema', () => {
  it('turns integers, booleans and enums into the JSON types the schema declares; strings stay strings', () => {
    expect(parseParamFlags(['date=2026-11-21', 'shards=8'], templates['daily-sales-etl']!.parameters)).toEqual({ date: '2026-11-21', shards: 8 });
    expect(parseParamFlags(['featureGroup=orders', 'fullRefresh=true'], templates['refresh-ml-features']!.parameters)).toEqual({ featureGroup: 'orders', fullRefresh: true });
    expect(parseParamFlags(['segment=smb', 'from=2026-01-01'], templates['churn-features-serverless']!.parameters)).toEqual({ segment: 'smb', from: '2026-01-01' });
  });

  it('keeps everything after the first = as the value; a later flag wins', () => {
    const schema = { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' } } };
    expect(parseParamFlags(['q=a=b', 'n=1', 'n=2'], schema)).toEqual({ q: 'a=b', n: 2 });
  });

  it('reads arrays as JSON or comma-separated items of their type, objects as JSON, and unions in a fixed order', () => {
    const schema = { type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } }, opts: { type: 'object' }, limit: { type: ['integer', 'null'] }, any: {} } };
    expect(parseParamFlags(['ids=1,2,3', 'opts={"a":1}', 'limit=null', 'any=42'], schema)).toEqual({ ids: [1, 2, 3], opts: { a: 1 }, limit: null, any: '42' });
    expect(parseParamFlags(['ids=[4,5]', 'limit=7'], schema)).toEqual({ ids: [4, 5], limit: 7 });
  });

  it.each([
    [['shards=eight'], '-p shards: expects integer, got "eight"'],
    [['shards=1.5'], '-p shards: expects integer, got "1.5"'],
    [['colour=red'], '-p colour: the template has no such parameter; its parameters are date, shards'],
    [['date'], '-p takes name=value (got "date")'],
    [['=x'], '-p takes name=value (got "=x")'],
  ])('%j is a usage error saying what is wrong', (flags, message) => {
    expect(() => parseParamFlags(flags, templates['daily-sales-etl']!.parameters)).toThrow(new UsageError(message));
  });

  it('reads --params-file as JSON or YAML, one object', () => {
    const d = dir();
    writeFileSync(join(d, 'p.yaml'), 'date: "2026-11-21"\nshards: 4\n');
    writeFileSync(join(d, 'p.json'), '{"date":"2026-11-22"}');
    writeFileSync(join(d, 'list.yaml'), '- a\n');
    expect(readParamsFile('p.yaml', d)).toEqual({ date: '2026-11-21', shards: 4 });
    expect(readParamsFile('p.json', d)).toEqual({ date: '2026-11-22' });
    expect(() => readParamsFile('list.yaml', d)).toThrow('must hold one object of parameter names and values');
    expect(() => readParamsFile('none.yaml', d)).toThrow('cannot read --params-file none.yaml: ENOENT');
  });
});

describe('the default idempotency key of a command', () => {
  const url = 'https://jobs.example.com';
  it('is the same command for the same gateway, template and parameters, whatever their order', () => {
    expect(commandFingerprint(url, 't', { a: 1, b: { y: 2, x: 1 } })).toBe(commandFingerprint(url, 't', { b: { x: 1, y: 2 }, a: 1 }));
    expect(commandFingerprint(url, 't', { a: 1 })).not.toBe(commandFingerprint(url, 't', { a: 2 }));
    expect(commandFingerprint(url, 't', { a: 1 })).not.toBe(commandFingerprint('https://other.example.com', 't', { a: 1 }));
  });

  it('is reused until the command gets an answer, then replaced; a day-old unanswered note is forgotten', () => {
    let now = new Date('2026-05-01T10:00:00Z');
    const notes = new SubmissionNotes(dir(), 'default', () => now);
    const first = notes.keyFor('cmd');
    expect(first).toEqual({ key: expect.stringMatching(/^djg-[a-z2-7]{26}$/), reused: false });
    expect(notes.keyFor('cmd')).toEqual({ key: first.key, reused: true, since: '2026-05-01T10:00:00.000Z' });
    notes.answered('cmd');
    const second = notes.keyFor('cmd');
    expect(second.key).not.toBe(first.key);
    now = new Date('2026-05-02T10:00:01Z');
    expect(notes.keyFor('cmd').key).not.toBe(second.key);
  });
});

describe('the token cache', () => {
  const login: CachedLogin = { version: 1, issuer: 'https://idp.example.com', clientId: 'djg', accessToken: 'a.b.c', refreshToken: 'r', expiresAt: '2030-01-01T00:00:00.000Z' };

  it('writes one 0600 file per profile in a 0700 directory, and reads it back', () => {
    const d = dir();
    const cache = new TokenCache(join(d, 'djg'));
    const file = cache.write('prod', login);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'djg')).mode & 0o777).toBe(0o700);
    expect(cache.read('prod')).toEqual(login);
    expect(cache.read('other')).toBeUndefined();
    expect(cache.delete('prod')).toBe(true);
    expect(cache.read('prod')).toBeUndefined();
  });

  it('refuses a file other users could read, as ssh refuses such a key', () => {
    const cache = new TokenCache(join(dir(), 'djg'));
    const file = cache.write('default', login);
    chmodSync(file, 0o644);
    expect(() => cache.read('default')).toThrow(/can be read by other users: remove it and log in again/);
  });
});

describe('the config file and profiles', () => {
  const io = (env: Record<string, string>) => ({ cwd: '/', env, stdout: () => {}, stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false });

  it('lives in $XDG_CONFIG_HOME/djg, else ~/.config/djg', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/a' })).toBe('/x/cfg/djg');
    expect(configDir({ HOME: '/home/a' })).toBe('/home/a/.config/djg');
  });

  it('saves what login was given, keeping comments and other profiles; flags beat DJG_URL beat the profile', () => {
    const cfg = dir();
    const djgDir = join(cfg, 'djg');
    saveProfile(djgDir, 'prod', { url: 'https://jobs.example.com', issuer: 'https://idp.example.com' });
    writeFileSync(join(djgDir, 'config.yaml'), `# my notes\n${readFileSync(join(djgDir, 'config.yaml'), 'utf8')}`);
    saveProfile(djgDir, 'dev', { url: 'http://127.0.0.1:8080' });
    const text = readFileSync(join(djgDir, 'config.yaml'), 'utf8');
    expect(text).toContain('# my notes');
    expect(readConfigFile(djgDir).config.profiles).toEqual({ prod: { url: 'https://jobs.example.com', issuer: 'https://idp.example.com' }, dev: { url: 'http://127.0.0.1:8080' } });
    const env = { XDG_CONFIG_HOME: cfg };
    expect(resolveSettings({ profile: 'prod' }, io(env)).url).toBe('https://jobs.example.com');
    expect(resolveSettings({ profile: 'prod' }, io({ ...env, DJG_URL: 'https://env.example.com' })).url).toBe('https://env.example.com');
    expect(resolveSettings({ profile: 'prod', url: 'https://flag.example.com' }, io({ ...env, DJG_URL: 'https://env.example.com' })).url).toBe('https://flag.example.com');
    expect(resolveSettings({ profile: 'prod' }, io(env)).scopes).toEqual(['openid', 'offline_access', 'jobs:read', 'jobs:submit', 'jobs:cancel']);
  });

  it('names the file, the field and the problem of a bad config; refuses unknown profiles and plain-http gateways elsewhere', () => {
    const cfg = dir();
    const djgDir = join(cfg, 'djg');
    saveProfile(djgDir, 'prod', { url: 'https://jobs.example.com' });
    writeFileSync(join(djgDir, 'config.yaml'), 'profiles:\n  prod:\n    url: ftp://x\n    colour: red\n');
    expect(() => readConfigFile(djgDir)).toThrow(new CliError(`${join(djgDir, 'config.yaml')}: invalid djg config - /profiles/prod/colour is not a known field; /profiles/prod/url must match pattern "^https?://" (got \"ftp://x\")`, 2));
    writeFileSync(join(djgDir, 'config.yaml'), 'profiles: {prod: {url: "https://jobs.example.com"}}\n');
    expect(() => resolveSettings({ profile: 'staging' }, io({ XDG_CONFIG_HOME: cfg }))).toThrow(/no profile "staging" in .*config.yaml \(profiles: prod\)/);
    expect(() => resolveSettings({ url: 'http://jobs.example.com' }, io({ XDG_CONFIG_HOME: cfg }))).toThrow('--url must use https (plain http only to this machine, for local mode)');
  });
});

describe('exit codes and routes', () => {
  it.each([
    [400, 'bad-request', 2],
    [401, 'unauthenticated', 3],
    [403, 'template-not-allowed', 3],
    [404, 'job-not-found', 4],
    [409, 'idempotency-key-reused', 2],
    [409, 'job-not-cancellable', 5],
    [413, 'payload-too-large', 2],
    [422, 'invalid-parameters', 2],
    [429, 'too-many-requests', 5],
    [502, 'backend-rejected', 5],
    [503, 'backend-failure', 5],
  ])('HTTP %i %s exits %i', (status, type, code) => {
    expect(exitCodeFor({ status, type: `https://data-job-gateway.dev/problems/${type}` })).toBe(code);
  });

  it('calls only routes of the route table, with path parameters encoded', () => {
    for (const key of ROUTES_DJG_CALLS) expect(ROUTES.some((r) => `${r.method} ${r.path}` === key)).toBe(true);
    expect(route('GET /jobs/{id}/output', { id: 'job-a/../b' }).path).toBe('/jobs/job-a%2F..%2Fb/output');
  });

  it('reads durations as --timeout and --interval take them', () => {
    expect([parseDuration('500ms', 'x'), parseDuration('30s', 'x'), parseDuration('10m', 'x'), parseDuration('2h', 'x'), parseDuration('90', 'x')]).toEqual([500, 30_000, 600_000, 7_200_000, 90_000]);
    expect(() => parseDuration('2 hours', '--timeout')).toThrow('--timeout takes a duration such as 30s, 10m or 2h (got "2 hours")');
  });
});

describe('completion scripts for zsh and fish', () => {
  const script = async (shell: 'zsh' | 'fish') => {
    const { buildProgram } = await import('../../cli/program.js');
    const { completionScript } = await import('../../cli/completion.js');
    const io = { cwd: '/', env: {}, stdout: () => {}, stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false };
    return completionScript(buildProgram(io, { code: 0 }), shell);
  };
  const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
  const shellRun = (shell: string, program: string) => spawnSync(shell, ['-c', program], { encoding: 'utf8' });

  // CI machines may not have these shells; the bash script is exercised in test/cli/djg.e2e.test.ts everywhere
  (has('zsh') ? it : it.skip)('zsh: offers subcommands with descriptions, options, and an option\'s choices', async () => {
    const file = join(dir(), '_djg');
    writeFileSync(file, await script('zsh'));
    const mocks = `compdef() { :; }; _describe() { local -a shown; shown=(\${(@P)4}); print -r -- "$2: \${(j: :)\${(@)shown%%:*}}"; }; compadd() { print -r -- "values: \${@:2}"; }; _files() { print files; }`;
    const run = shellRun('zsh', `${mocks}; source ${file}; words=(djg templates ''); CURRENT=3; _djg; words=(djg submit x --ti); CURRENT=4; _djg; words=(djg ls -o ''); CURRENT=4; _djg`);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual(['commands: show', expect.stringMatching(/^options: --param -p --params-file .*--timeout/), 'values: table json yaml', '']);
  });

  (has('fish') ? it : it.skip)('fish: completes subcommands, options and choices', async () => {
    const file = join(dir(), 'djg.fish');
    writeFileSync(file, await script('fish'));
    const run = shellRun('fish', `source ${file}; complete -C 'djg templates '; complete -C 'djg ls -o '`);
    expect(run.stdout.split('\n').map((l) => l.split('\t')[0])).toEqual(['show', 'json', 'table', 'yaml', '']);
  });
});
