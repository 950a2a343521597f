// djg login, logout, whoami: sign in once at the issuer, keep the tokens private, and show who the gateway sees.
import { decodeJwt } from 'jose/jwt/decode';
import type { Caller } from '../../contract/api-schemas.js';
import { route } from '../api-routes.js';
import { discover, loginWithBrowser, loginWithDevice, revoke, toCachedLogin } from '../auth/oidc.js';
import { TokenCache } from '../auth/token-cache.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { nowOf } from '../io.js';
import { renderFields } from '../output.js';
import { checkUrl, saveProfile } from '../settings.js';

export interface LoginFlags {
  readonly device?: boolean;
  readonly issuer?: string;
  readonly clientId?: string;
  readonly scopes?: string;
  readonly browser?: boolean;
  readonly port?: string;
}

export async function login(ctx: Context, flags: LoginFlags): Promise<number> {
  const settings = ctx.settingsForLogin();
  const { io } = ctx;
  const issuer = flags.issuer ?? settings.issuer;
  if (!issuer) throw new UsageError(`which issuer? pass --issuer <url> (your company's OIDC issuer); djg remembers it in profile "${settings.profileName}"`);
  checkUrl(issuer, '--issuer');
  const clientId = flags.clientId ?? settings.clientId;
  const scopes = flags.scopes ? flags.scopes.split(/[\s,]+/).filter(Boolean) : settings.scopes;
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number (got ${JSON.stringify(flags.port)})`);
  // what was given on the command line is remembered, so the next login (and every other command) needs no flags
  const changes = { url: ctx.urlFlag, issuer: flags.issuer, clientId: flags.clientId, scopes: flags.scopes ? [...scopes] : undefined };
  if (Object.values(changes).some((v) => v !== undefined)) {
    const file = saveProfile(settings.dir, settings.profileName, changes);
    ctx.note(`saved profile "${settings.profileName}" in ${file}`);
  }

  const config = await discover(issuer, clientId);
  const tokens = flags.device
    ? await loginWithDevice(config, {
        scopes,
        signal: io.signal,
        announce: (d) =>
          ctx.note(
            `To sign in, open ${d.verificationUri} in a browser on any device and enter the code\n\n    ${d.userCode}\n\n${d.verificationUriComplete ? `(or open ${d.verificationUriComplete})\n` : ''}Waiting for you to sign in (the code expires in ${Math.round(d.expiresInSeconds / 60)} minutes; Ctrl-C to stop)...`,
          ),
      })
    : await loginWithBrowser(config, {
        scopes,
        port,
        signal: io.signal,
        announce: async (url) => {
          const opened = flags.browser !== false && io.stderrIsTTY && io.openBrowser ? await io.openBrowser(url) : false;
          ctx.note(`${opened ? 'Your browser has been opened to sign in. If it did not open, visit' : 'Open this URL in a browser on this machine to sign in'}:\n\n    ${url}\n\nWaiting for you to sign in (Ctrl-C to stop)...`);
        },
      });
  const cached = toCachedLogin(config, tokens, nowOf(io));
  const file = new TokenCache(settings.dir).write(settings.profileName, cached);

  const who = claimsOf(cached.accessToken);
  const summary = { profile: settings.profileName, issuer: cached.issuer, subject: who.subject, groups: who.groups, scope: cached.scope, expiresAt: cached.expiresAt, tokenCache: file };
  ctx.print(summary, () =>
    `Logged in as ${who.subject ?? 'you'}${who.groups.length ? ` (groups: ${who.groups.join(', ')})` : ''} at ${cached.issuer}, profile "${settings.profileName}".\n` +
    `The tokens are in ${file} (readable by you only); djg refreshes them when they expire.\n`,
  );
  return EXIT.ok;
}

/** Display only: what the access token says about its subject (the gateway verifies tokens; djg never trusts this). */
function claimsOf(token: string): { subject?: string; groups: string[] } {
  try {
    const claims = decodeJwt(token);
    const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
    return { subject: typeof claims.sub === 'string' ? claims.sub : undefined, groups };
  } catch {
    return { groups: [] };
  }
}

export async function logout(ctx: Context): Promise<number> {
  const { settings } = ctx;
  const cache = new TokenCache(settings.dir);
  let login;
  try {
    login = cache.read(settings.profileName);
  } catch {
    // a damaged or too-open cache is removed all the same
  }
  let revoked = false;
  if (login?.refreshToken) revoked = await discover(login.issuer, login.clientId).then((config) => revoke(config, login.refreshToken!), () => false);
  const removed = cache.delete(settings.profileName);
  ctx.note(
    removed
      ? `Logged out of profile "${settings.profileName}"${revoked ? `; the refresh token was revoked at ${login!.issuer}` : ''}.`
      : `Not logged in (profile "${settings.profileName}"); nothing to do.`,
  );
  return EXIT.ok;
}

export async function whoami(ctx: Context): Promise<number> {
  const tokens = ctx.tokens();
  const { body: me } = await ctx.client().call<Caller>(route('GET /me'));
  const expiresAt = (await tokens.expiresAt())?.toISOString();
  const source = { flag: '--token', env: 'DJG_TOKEN', command: 'DJG_TOKEN_COMMAND', login: `djg login (profile "${ctx.settings.profileName}")` }[tokens.kind];
  const data = { ...me, profile: ctx.settings.profileName, gateway: ctx.settings.url, tokenSource: tokens.kind, ...(expiresAt ? { expiresAt } : {}) };
  ctx.print(data, () =>
    renderFields([
      ['principal', `${me.issuer}#${me.subject}`],
      ['kind', me.kind],
      ['groups', me.groups.join(', ') || '(none)'],
      ['scopes', me.scopes.join(' ') || '(none)'],
      ['token', `from ${source}${expiresAt ? `, expires ${expiresAt}` : ''}`],
      ['gateway', ctx.settings.url],
    ]),
  );
  return EXIT.ok;
}
