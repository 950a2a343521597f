// Signing in at the company's identity provider with openid-client: authorization code with PKCE through a loopback
// redirect (RFC 8252: 127.0.0.1, any port, path /callback), the device authorization grant for machines without a
// browser (RFC 8628), refresh, and revocation on logout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { AuthError, CliError, EXIT } from '../errors.js';
import { isLoopback } from '../settings.js';
import type { CachedLogin } from './token-cache.js';

/** How long a browser or device sign-in may take before djg gives up. */
const SIGN_IN_TIMEOUT_MS = 10 * 60_000;

/** The issuer's metadata and djg's client there; plain http only for an issuer on this machine (local mode). */
export async function discover(issuer: string, clientId: string): Promise<client.Configuration> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new CliError(`the issuer must be a URL (got ${JSON.stringify(issuer)})`, EXIT.usage);
  }
  const insecure = url.protocol === 'http:' && isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !insecure) throw new CliError(`the issuer must use https (plain http only on this machine): ${issuer}`, EXIT.usage);
  try {
    return await client.discovery(url, clientId, undefined, client.None(), insecure ? { execute: [client.allowInsecureRequests] } : undefined);
  } catch (err) {
    throw new AuthError(`cannot read the issuer's discovery document at ${url.origin}${url.pathname.replace(/\/$/, '')}/.well-known/openid-configuration: ${describeOAuthError(err)}`, { cause: err });
  }
}

/** A token endpoint response as the cache keeps it; `now` stamps the expiry. */
export function toCachedLogin(config: client.Configuration, tokens: client.TokenEndpointResponse, now: Date, previous?: CachedLogin): CachedLogin {
  const expiresIn = typeof tokens.expires_in === 'number' ? tokens.expires_in : 3600;
  return {
    version: 1,
    issuer: config.serverMetadata().issuer,
    clientId: config.clientMetadata().client_id,
    accessToken: tokens.access_token,
    // an issuer that does not rotate refresh tokens answers a refresh without one: the old one stays good
    ...((tokens.refresh_token ?? previous?.refreshToken) ? { refreshToken: tokens.refresh_token ?? previous?.refreshToken } : {}),
    expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString(),
    ...(tokens.scope ? { scope: tokens.scope } : previous?.scope ? { scope: previous.scope } : {}),
  };
}

export interface BrowserLogin {
  readonly scopes: readonly string[];
  /** Shows the person the URL to open (and whether djg could open it). */
  readonly announce: (url: string) => Promise<void>;
  /** Loopback port to listen on. @default 0: any free port */
  readonly port?: number;
  readonly signal?: AbortSignal;
}

/** Authorization code with PKCE: the browser comes back to a one-shot loopback server with the code. */
export async function loginWithBrowser(config: client.Configuration, options: BrowserLogin): Promise<client.TokenEndpointResponse> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const { server, redirectUri, callback } = await loopbackServer(options.port ?? 0, state);
  try {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: options.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    await options.announce(url.href);
    const returned = await withDeadline(callback, options.signal, 'the browser sign-in');
    return await client.authorizationCodeGrant(config, returned, { pkceCodeVerifier: verifier, expectedState: state });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new AuthError(`the sign-in failed: ${describeOAuthError(err)}`, { cause: err });
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

export interface DeviceLogin {
  readonly scopes: readonly string[];
  /** Shows the person where to go and which code to confirm. */
  readonly announce: (device: { verificationUri: string; verificationUriComplete?: string; userCode: string; expiresInSeconds: number }) => void;
  readonly signal?: AbortSignal;
}

export async function loginWithDevice(config: client.Configuration, options: DeviceLogin): Promise<client.TokenEndpointResponse> {
  if (!config.serverMetadata().device_authorization_endpoint) throw new AuthError(`the issuer ${config.serverMetadata().issuer} offers no device authorization endpoint: log in without --device`);
  try {
    const device = await client.initiateDeviceAuthorization(config, { scope: options.scopes.join(' ') });
    options.announce({ verificationUri: device.verification_uri, verificationUriComplete: device.verification_uri_complete, userCode: device.user_code, expiresInSeconds: device.expires_in });
    const signals = [AbortSignal.timeout(Math.min(device.expires_in * 1000, SIGN_IN_TIMEOUT_MS)), ...(options.signal ? [options.signal] : [])];
    return await client.pollDeviceAuthorizationGrant(config, device, undefined, { signal: AbortSignal.any(signals) });
  } catch (err) {
    if (options.signal?.aborted) throw new CliError('sign-in interrupted', EXIT.interrupted, { cause: err });
    throw new AuthError(`the device sign-in failed: ${describeOAuthError(err)}`, { cause: err });
  }
}

export async function refresh(config: client.Configuration, refreshToken: string): Promise<client.TokenEndpointResponse> {
  return client.refreshTokenGrant(config, refreshToken);
}

/** Best effort: an issuer without a revocation endpoint, or one that is down, does not stop a logout. */
export async function revoke(config: client.Configuration, token: string): Promise<boolean> {
  if (!config.serverMetadata().revocation_endpoint) return false;
  try {
    await client.tokenRevocation(config, token, { token_type_hint: 'refresh_token' });
    return true;
  } catch {
    return false;
  }
}

/** What an OAuth failure says, without tokens: the error code and description the issuer gave, or the cause. */
export function describeOAuthError(err: unknown): string {
  const e = err as { error?: unknown; error_description?: unknown; message?: unknown; cause?: { message?: unknown; code?: unknown } };
  if (typeof e?.error === 'string') return `${e.error}${typeof e.error_description === 'string' ? `: ${e.error_description}` : ''}`;
  const cause = e?.cause && typeof e.cause.code === 'string' ? ` (${e.cause.code})` : '';
  return `${typeof e?.message === 'string' ? e.message : String(err)}${cause}`;
}

/** The loopback redirect target: answers the browser once, then resolves with the URL the issuer sent it to. */
async function loopbackServer(port: number, state: string): Promise<{ server: Server; redirectUri: string; callback: Promise<URL> }> {
  let settle!: { resolve: (url: URL) => void; reject: (err: Error) => void };
  const callback = new Promise<URL>((resolve, reject) => (settle = { resolve, reject }));
  let redirectUri = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    // Another tab or a stale redirect must not end this sign-in: only the answer to this request counts.
    if (url.searchParams.get('state') !== state) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('This sign-in link is not the one djg is waiting for. Start again with djg login.\n');
      return;
    }
    const error = url.searchParams.get('error');
    const body = error ? `Sign-in failed: ${error}. You can close this page and try djg login again.\n` : 'Signed in. You can close this page and return to your terminal.\n';
    res.writeHead(error ? 400 : 200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    settle.resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new CliError(`cannot listen on 127.0.0.1:${port} for the sign-in redirect: ${(err as Error).message}`, EXIT.usage)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return { server, redirectUri, callback };
}

async function withDeadline<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuthError(`${what} did not finish within ${SIGN_IN_TIMEOUT_MS / 60_000} minutes`)), SIGN_IN_TIMEOUT_MS);
    signal?.addEventListener('abort', () => reject(new CliError('sign-in interrupted', EXIT.interrupted)), { once: true });
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
