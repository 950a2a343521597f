// Where djg keeps its settings and which gateway, issuer and client a command uses: flags, then environment, then the
// profile in $XDG_CONFIG_HOME/djg/config.yaml (default ~/.config/djg/config.yaml).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { ValidateFunction } from 'ajv';
import { createAjv, describeErrors } from '../contract/validation.js';
import { CliError, EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** What djg asks an issuer for unless a profile says otherwise: a refresh token, and the API's job scopes. */
const DEFAULT_SCOPES = ['openid', 'offline_access', 'jobs:read', 'jobs:submit', 'jobs:cancel'];
const DEFAULT_CLIENT_ID = 'djg';
const DEFAULT_PROFILE = 'default';
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A profile: which gateway, and where and how to sign in for it. */
export interface Profile {
  url?: string;
  issuer?: string;
  clientId?: string;
  scopes?: string[];
}

interface ConfigFile {
  default?: string;
  profiles?: Record<string, Profile>;
}

// Plain JSON Schema (not TypeBox): djg starts on every command, and TypeBox's many modules cost it a second to load.
const PROFILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https?://' },
    issuer: { type: 'string', pattern: '^https?://' },
    clientId: { type: 'string', minLength: 1, maxLength: 256 },
    scopes: { type: 'array', maxItems: 50, items: { type: 'string', pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$' } },
  },
} as const;
const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { type: 'string', pattern: PROFILE_NAME.source },
    profiles: { type: 'object', propertyNames: { pattern: PROFILE_NAME.source }, additionalProperties: PROFILE_SCHEMA },
  },
} as const;

let validate: ValidateFunction | undefined;

/** `$XDG_CONFIG_HOME/djg`, else `~/.config/djg`. */
export function configDir(env: CliIo['env']): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'djg');
}

/** The config directory, created private (0700) so the token cache inside is not listable by others. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export function readConfigFile(dir: string): { file: string; config: ConfigFile } {
  const file = join(dir, 'config.yaml');
  if (!existsSync(file)) return { file, config: {} };
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new CliError(`${file} is not YAML: ${(err as Error).message}`, EXIT.usage, { cause: err });
  }
  validate ??= createAjv().compile(CONFIG_SCHEMA);
  if (!validate(parsed)) {
    const problems = describeErrors(validate.errors ?? [], parsed);
    throw new CliError(`${file}: invalid djg config - ${problems.join('; ')}`, EXIT.usage);
  }
  return { file, config: parsed as ConfigFile };
}

/** Stores `changes` in the profile, keeping the file's comments and other profiles as they are. */
export function saveProfile(dir: string, name: string, changes: Profile): string {
  privateDir(dir);
  const { file } = readConfigFile(dir);
  const doc = existsSync(file) ? YAML.parseDocument(readFileSync(file, 'utf8')) : new YAML.Document({});
  if (!existsSync(file)) doc.commentBefore = ' djg profiles: djg --profile <name>, or DJG_PROFILE; `default` names the profile used otherwise.';
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) doc.setIn(['profiles', name, key], value);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, doc.toString(), { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

export interface GlobalOptions {
  readonly profile?: string;
  readonly url?: string;
  readonly token?: string;
}

export interface Settings {
  readonly dir: string;
  readonly profileName: string;
  readonly profile: Profile;
  /** The gateway URL, when one is known (flag, DJG_URL or the profile). */
  readonly url?: string;
  readonly issuer?: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** Flags win over the environment, the environment over the profile. */
export function resolveSettings(globals: GlobalOptions, io: CliIo, options: { readonly creating?: boolean } = {}): Settings {
  const dir = configDir(io.env);
  const { config } = readConfigFile(dir);
  const profileName = globals.profile ?? io.env.DJG_PROFILE ?? config.default ?? DEFAULT_PROFILE;
  if (!PROFILE_NAME.test(profileName)) throw new UsageError(`a profile name is letters, digits, '.', '_' and '-' (got ${JSON.stringify(profileName)})`);
  const profile = config.profiles?.[profileName] ?? {};
  if (!options.creating && (globals.profile ?? io.env.DJG_PROFILE) && !config.profiles?.[profileName] && profileName !== DEFAULT_PROFILE) {
    const known = Object.keys(config.profiles ?? {});
    throw new UsageError(`no profile "${profileName}" in ${join(dir, 'config.yaml')}${known.length ? ` (profiles: ${known.join(', ')})` : ''}; create it with djg login --profile ${profileName} --url <gateway> --issuer <issuer>`);
  }
  const url = globals.url ?? io.env.DJG_URL ?? profile.url;
  if (url !== undefined) checkUrl(url, '--url');
  return { dir, profileName, profile, url, issuer: profile.issuer, clientId: profile.clientId ?? DEFAULT_CLIENT_ID, scopes: profile.scopes ?? DEFAULT_SCOPES };
}

/** An http(s) URL; plain http only to this machine, where local mode runs. */
export function checkUrl(value: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} must be a URL such as https://jobs.data.example.com (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new UsageError(`${option} must use https (plain http only to this machine, for local mode): ${value}`);
  }
  return url;
}

export const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

/** The gateway URL a command needs, or a usage error saying how to give one. */
export function requireUrl(settings: Settings): string {
  if (settings.url) return settings.url;
  throw new UsageError(`which gateway? pass --url, set DJG_URL, or log in once with djg login --url <gateway> --issuer <issuer> (profile "${settings.profileName}")`);
}
