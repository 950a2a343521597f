// Where a command's bearer token comes from, first match wins: --token, DJG_TOKEN, DJG_TOKEN_COMMAND (a command that
// prints one: agents and CI), then the profile's cached sign-in, refreshed silently when it has expired.
import { spawn } from 'node:child_process';
import { decodeJwt } from 'jose/jwt/decode';
import { AuthError } from '../errors.js';
import { nowOf, type CliIo } from '../io.js';
import type { Settings } from '../settings.js';
import { TokenCache, type CachedLogin } from './token-cache.js';

type TokenKind = 'flag' | 'env' | 'command' | 'login';

export interface TokenSource {
  readonly kind: TokenKind;
  /** A token to send; never printed. */
  token(): Promise<string>;
  /** After a 401: get a fresh token if this source can (refresh, re-run the command). */
  renew(): Promise<boolean>;
  /** When the current token expires, if known. */
  expiresAt(): Promise<Date | undefined>;
}

/** Renew this long before expiry, so a token never expires on its way to the gateway. */
const EXPIRY_MARGIN_MS = 60_000;
const TOKEN_COMMAND_TIMEOUT_MS = 60_000;

export function tokenSource(settings: Settings, io: CliIo, flagToken?: string): TokenSource {
  if (flagToken !== undefined) return staticSource('flag', flagToken, '--token');
  if (io.env.DJG_TOKEN) return staticSource('env', io.env.DJG_TOKEN, 'DJG_TOKEN');
  if (io.env.DJG_TOKEN_COMMAND) return commandSource(io.env.DJG_TOKEN_COMMAND, io);
  return new LoginSource(settings, io);
}

function checkToken(token: string, from: string): string {
  const t = token.trim();
  if (!t || /\s/.test(t) || t.length > 16_384) throw new AuthError(`${from} does not hold a token (one line, no spaces)`);
  return t;
}

function staticSource(kind: TokenKind, token: string, from: string): TokenSource {
  return { kind, token: async () => checkToken(token, from), renew: async () => false, expiresAt: async () => jwtExpiry(token) };
}

/** The `exp` of a JWT, for display only (the gateway verifies tokens; djg never trusts what it decodes). */
function jwtExpiry(token: string): Date | undefined {
  try {
    const { exp } = decodeJwt(token.trim());
    return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

function commandSource(command: string, io: CliIo): TokenSource {
  let current: string | undefined;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(command, { shell: true, cwd: io.cwd, env: { ...io.env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], timeout: TOKEN_COMMAND_TIMEOUT_MS });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      child.on('error', (e) => reject(new AuthError(`DJG_TOKEN_COMMAND could not run: ${e.message}`)));
      child.on('close', (code, signal) => {
        // its stderr may explain a failure; its stdout is the token and is never shown
        if (code !== 0) return reject(new AuthError(`DJG_TOKEN_COMMAND exited ${signal ?? code}${err.trim() ? `: ${err.trim().split('\n').slice(-3).join(' ').slice(0, 500)}` : ''}`));
        try {
          resolve(checkToken(out, 'the output of DJG_TOKEN_COMMAND'));
        } catch (e) {
          reject(e);
        }
      });
    });
  return {
    kind: 'command',
    token: async () => (current ??= await run()),
    renew: async () => {
      current = await run();
      return true;
    },
    expiresAt: async () => (current ? jwtExpiry(current) : undefined),
  };
}

/** The profile's cached sign-in; an expired access token is refreshed and the cache rewritten, silently. */
class LoginSource implements TokenSource {
  readonly kind = 'login' as const;
  private readonly cache: TokenCache;
  private login: CachedLogin | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly io: CliIo,
  ) {
    this.cache = new TokenCache(settings.dir);
  }

  async token(): Promise<string> {
    const login = this.current();
    if (Date.parse(login.expiresAt) - EXPIRY_MARGIN_MS > nowOf(this.io).getTime()) return login.accessToken;
    return (await this.refreshed(login)).accessToken;
  }

  async renew(): Promise<boolean> {
    const login = this.current();
    if (!login.refreshToken) return false;
    await this.refreshed(login);
    return true;
  }

  async expiresAt(): Promise<Date | undefined> {
    return new Date(this.current().expiresAt);
  }

  private current(): CachedLogin {
    this.login ??= this.cache.read(this.settings.profileName);
    if (!this.login) {
      throw new AuthError(`not logged in (profile "${this.settings.profileName}"): run djg login${this.settings.profileName === 'default' ? '' : ` --profile ${this.settings.profileName}`}, or set DJG_TOKEN or DJG_TOKEN_COMMAND`);
    }
    return this.login;
  }

  private async refreshed(login: CachedLogin): Promise<CachedLogin> {
    if (!login.refreshToken) throw new AuthError('the sign-in has expired and the issuer gave no refresh token: run djg login');
    // openid-client is loaded only when a refresh is due
    const { describeOAuthError, discover, refresh, toCachedLogin } = await import('./oidc.js');
    const config = await discover(login.issuer, login.clientId);
    let tokens;
    try {
      tokens = await refresh(config, login.refreshToken);
    } catch (err) {
      throw new AuthError(`the sign-in has expired and could not be refreshed (${describeOAuthError(err)}): run djg login`, { cause: err });
    }
    this.login = toCachedLogin(config, tokens, nowOf(this.io), login);
    this.cache.write(this.settings.profileName, this.login);
    return this.login;
  }
}
