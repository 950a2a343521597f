// `npm run token -- --sub alice --groups analysts,data-eng [--scopes jobs:read] [--ttl 3600]`
// `npm run token -- --agent [--client-id local-agent] [--groups a,b] [--scopes jobs:submit]`
// Prints an access token from the running local identity provider (started by `npm start`), for curl:
//   curl -H "Authorization: Bearer $(npm run -s token -- --sub alice --groups analysts)" http://127.0.0.1:8080/templates
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../lambda/authorizer/jwks-fetcher.js';
import { stateFileFor, stateFiles } from './state-file.js';
import { DEFAULT_AGENT_CLIENT, requestAgentToken, requestUserToken, TokenRequestFailed } from './idp/token-request.js';


export interface LocalState {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly gatewayUrl?: string;
}

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `usage:
  npm run token -- --sub <subject> [--groups g1,g2] [--scopes s1,s2] [--ttl seconds]
  npm run token -- --agent [--client-id ${DEFAULT_AGENT_CLIENT}] [--groups g1,g2] [--scopes s1,s2]
options:
  --scopes s1,s2   route scopes (jobs:read, jobs:submit, jobs:cancel, jobs:approve, admin, audit); default: all of them
  --port <n>       the local mode instance whose API listens on this port (needed when several run)
  --state <file>   local mode state file (default: the running instance's .local/state-<port>.json)`;

/** A problem the user can fix; the message says how. */
class CliError extends Error {
  override readonly name = 'CliError';
}

/** Runs the command; returns the process exit code. The token goes to stdout, everything else to stderr. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const state = await readState(args.state ? resolve(io.cwd, args.state) : runningInstance(io.cwd, args.port));
    const token = args.agent
      ? await requestAgentToken(state.tokenEndpoint, { clientId: args.clientId, groups: args.groups, scopes: args.scopes })
      : await requestUserToken(state.tokenEndpoint, { sub: args.sub!, groups: args.groups, scopes: args.scopes, ttlSeconds: args.ttl });
    io.stdout(`${token}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    if (err instanceof TokenRequestFailed) {
      const hint = err.status === undefined ? ' Is `npm start` still running? If not, start local mode first: npm start' : '';
      io.stderr(`could not get a token: ${err.message}.${hint}\n`);
      return 1;
    }
    throw err;
  }
}

interface CliArgs {
  readonly help: boolean;
  readonly agent: boolean;
  readonly sub?: string;
  readonly groups: string[];
  readonly scopes: string[];
  readonly clientId?: string;
  readonly ttl?: number;
  readonly port?: number;
  readonly state?: string;
}

function parseCliArgs(argv: readonly string[]): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string' },
        groups: { type: 'string' },
        scopes: { type: 'string' },
        agent: { type: 'boolean', default: false },
        'client-id': { type: 'string' },
        ttl: { type: 'string' },
        port: { type: 'string' },
        state: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`);
  }
  // group names may contain spaces (Okta, Entra ID); scopes never do
  const list = (v: string | undefined, separator: RegExp) => (v ?? '').split(separator).map((x) => x.trim()).filter(Boolean);
  const args: CliArgs = {
    help: values.help,
    agent: values.agent,
    sub: values.sub,
    groups: list(values.groups, /,/),
    scopes: list(values.scopes, /[,\s]+/),
    clientId: values['client-id'],
    ttl: values.ttl === undefined ? undefined : Number(values.ttl),
    port: values.port === undefined ? undefined : Number(values.port),
    state: values.state,
  };
  if (args.help) return args;
  if (args.agent && args.sub !== undefined) throw new CliError(`--agent tokens have no --sub: the client id is the subject\n${USAGE}`);
  if (args.port !== undefined && (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535)) throw new CliError(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  if (!args.agent && !args.sub) throw new CliError(`--sub is required for a user token (or pass --agent)\n${USAGE}`);
  if (!args.agent && args.clientId !== undefined) throw new CliError(`--client-id only applies to --agent\n${USAGE}`);
  if (args.ttl !== undefined && !Number.isInteger(args.ttl)) throw new CliError(`--ttl must be a whole number of seconds, got ${JSON.stringify(values.ttl)}`);
  return args;
}

/** The state file of the instance on `port`, or of the only instance running in `cwd`. */
function runningInstance(cwd: string, port: number | undefined): string {
  if (port !== undefined) return resolve(cwd, stateFileFor(port));
  // a crashed instance leaves its file behind: only live processes count
  const running = stateFiles(cwd).filter((s) => isAlive(s.file));
  if (running.length === 1) return running[0]!.file;
  if (running.length === 0) throw new CliError(`no local mode is running here: start local mode first: npm start (run this command from the same directory)`);
  throw new CliError(`${running.length} local mode instances are running (ports ${running.map((s) => s.port).join(', ')}): pass --port <n>`);
}

function isAlive(file: string): boolean {
  try {
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown };
    if (typeof pid !== 'number') return true;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readState(file: string): Promise<LocalState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`no local mode state at ${file}: start local mode first: npm start (run this command from the same directory)`);
    }
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let state: Partial<LocalState>;
  try {
    state = JSON.parse(text) as Partial<LocalState>;
  } catch {
    throw new CliError(`${file} is not JSON: restart local mode (npm start) to rewrite it`);
  }
  if (typeof state.tokenEndpoint !== 'string' || typeof state.issuer !== 'string') {
    throw new CliError(`${file} has no issuer/tokenEndpoint: is the local identity provider enabled (local.identityProvider.enabled)?`);
  }
  let endpoint: URL;
  try {
    endpoint = new URL(state.tokenEndpoint);
  } catch {
    throw new CliError(`${file}: tokenEndpoint is not a URL`);
  }
  // this command only mints developer tokens from the local provider, never from a real issuer
  if (!isLoopbackHost(endpoint.hostname)) throw new CliError(`${file}: tokenEndpoint ${endpoint.origin} is not on this machine`);
  return { issuer: state.issuer, tokenEndpoint: state.tokenEndpoint, gatewayUrl: state.gatewayUrl };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2), { cwd: process.cwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`token: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
