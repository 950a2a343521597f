// The local OIDC identity provider: oidc-provider on loopback, with discovery, a JWKS of keys generated at start,
// JWT access tokens for one resource (the gateway), a client-credentials client for agents, a developer grant for
// user tokens, and a native public client for djg: authorization code with PKCE through a loopback redirect (any
// port, RFC 8252 §7.3), the device flow (RFC 8628) and refresh tokens, signing in on a local page (login.ts).
//
// Why the developer grant is safe: real issuers sign users in interactively; here any caller may name a subject
// and groups. That is only acceptable because (1) this provider listens on loopback only, so only this machine can
// ask; (2) it runs in local mode only, its signing keys are generated at start and die with the process, and nothing
// deployed trusts its http://127.0.0.1 issuer (deployed authorizers fetch JWKS over https only); (3) the grant is
// registered in this file and nowhere else.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import './expected-warnings.js';
import Provider, { errors, type AccessToken, type OidcContext, type ResourceServerInfo } from 'oidc-provider';
import type { IssuerConfig } from '../../contract/settings.js';
import { ROUTE_SCOPES } from '../../contract/routes.js';
import { isLoopbackHost } from '../../lambda/authorizer/jwks-fetcher.js';
import { createLoginHandler, deviceFlowPages, renderError } from './login.js';
import {
  CLI_CLIENT,
  DEFAULT_AGENT_CLIENT,
  LOCAL_AGENT_GRANT,
  LOCAL_DEV_CLIENT,
  LOCAL_USER_GRANT,
  requestAgentToken,
  requestUserToken,
  type AgentTokenRequest,
  type UserTokenRequest,
} from './token-request.js';

export interface IdentityProviderOptions {
  /** @default 0 (an ephemeral port) */
  readonly port?: number;
  /** Must be a loopback address. @default '127.0.0.1' */
  readonly host?: string;
  /** The `aud` of every access token: the gateway's configured audience. */
  readonly audience: string;
  /** Claim that carries a user's groups. @default 'groups' */
  readonly groupsClaim?: string;
  /** Client ids of the client-credentials (agent) clients. @default ['local-agent'] */
  readonly agentClientIds?: readonly string[];
  /** @default 'RS256' (an ES256 key is published too) */
  readonly signingAlg?: 'RS256' | 'ES256';
  /** Default access token lifetime. @default 3600 */
  readonly accessTokenTtlSeconds?: number;
  /** Groups the sign-in page offers. @default ['analysts'] */
  readonly presetGroups?: readonly string[];
}

export interface LocalIdentityProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly audience: string;
  readonly groupsClaim: string;
  /** The public client djg signs in with (authorization code + PKCE, device flow, refresh). */
  readonly cliClientId: string;
  /** A user token with the chosen subject and groups, through the developer grant. */
  userToken(req: UserTokenRequest): Promise<string>;
  /** A client-credentials token of an agent client. */
  agentToken(req?: AgentTokenRequest): Promise<string>;
  close(): Promise<void>;
}

/** The one resource server this provider issues tokens for; its `aud` is the configured audience. */
const RESOURCE = 'urn:data-job-gateway:api';
/** The gateway's route scopes (contract/routes.ts, docs/identity.md) that a djg sign-in may be granted. */
const API_SCOPES = ['jobs:read', 'jobs:submit', 'jobs:cancel', 'jobs:approve', 'admin', 'audit'];
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Seconds a device waits between polls (RFC 8628 §3.2 lets the server say; 5 when it does not). */
const DEVICE_POLL_INTERVAL_SECONDS = 2;
const MAX_TTL_SECONDS = 24 * 3600;
const SIGN_IN_TTL_SECONDS = 14 * 24 * 3600;
const MIN_TTL_SECONDS = 60;
/** Where the keys are published; the gateway reads it from the discovery document, as it does for any issuer. */
const JWKS_PATH = '/oauth/keys';

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<LocalIdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`the local identity provider only listens on loopback, got host ${JSON.stringify(host)}`);
  const groupsClaim = options.groupsClaim ?? 'groups';
  const signingAlg = options.signingAlg ?? 'RS256';
  const defaultTtl = options.accessTokenTtlSeconds ?? 3600;
  const agentClientIds = options.agentClientIds ?? [DEFAULT_AGENT_CLIENT];

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const resourceInfo = (scope: string, ttl = defaultTtl): ResourceServerInfo => ({
    scope,
    audience: options.audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: ttl,
    jwt: { sign: { alg: signingAlg } },
  });
  // groups chosen through the developer grant, picked up when the token is signed
  const groupsOf = new WeakMap<AccessToken, readonly string[]>();
  // groups chosen on the sign-in page, by user name: tokens issued (and refreshed) for that user carry them
  const groupsOfAccount = new Map<string, readonly string[]>();

  const provider = new Provider(issuer, {
    clients: [
      ...agentClientIds.map((id) => publicClient(id, 'client_credentials', LOCAL_AGENT_GRANT)),
      publicClient(LOCAL_DEV_CLIENT, LOCAL_USER_GRANT),
      {
        client_id: CLI_CLIENT,
        client_name: 'djg',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
        response_types: ['code'],
        // a native client's loopback redirect may use any port (RFC 8252 §7.3): oidc-provider matches without it
        redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
      },
    ],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    renderError,
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // oidc-provider keeps offline_access only with prompt=consent (OIDC Core §11); like Okta and Entra ID, the local
    // provider gives djg a refresh token without a consent prompt, so one sign-in lasts.
    issueRefreshToken: (_ctx: unknown, client: { clientId: string; grantTypeAllowed(type: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && (client.clientId === CLI_CLIENT || code.scopes.has('offline_access')),
    jwks: { keys: await generateSigningKeys() },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true, ...deviceFlowPages },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: OidcContext, resource: string, client?: { clientId: string }) => {
          if (resource !== RESOURCE) throw new errors.InvalidTarget(`the only resource is ${RESOURCE}`);
          // djg's sign-ins are granted the API scopes they ask for on the sign-in page (login.ts); refreshes keep them
          if (client?.clientId === CLI_CLIENT) return resourceInfo(API_SCOPES.join(' '));
          // a developer tool: an agent gets whichever scopes it asks for
          const scope = ctx.oidc.params?.scope;
          return resourceInfo(typeof scope === 'string' ? scope : '');
        },
      },
    },
    // not <issuer>/.well-known/jwks.json: like Okta's /v1/keys, the keys are found only through discovery
    routes: { jwks: JWKS_PATH },
    // explicit lifetimes; a djg sign-in lasts two weeks through its refresh token, as long as its session
    ttl: {
      ClientCredentials: defaultTtl,
      AccessToken: defaultTtl,
      IdToken: defaultTtl,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 3600,
      Session: SIGN_IN_TTL_SECONDS,
      Grant: SIGN_IN_TTL_SECONDS,
      RefreshToken: SIGN_IN_TTL_SECONDS,
    },
    extraTokenClaims: (_ctx, token) => {
      const groups = groupsOf.get(token) ?? (token.accountId !== undefined ? groupsOfAccount.get(token.accountId) : undefined);
      return groups ? { [groupsClaim]: [...groups] } : undefined;
    },
  });

  // RFC 8628 §3.2: the device authorization response may name the polling interval
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method === 'POST' && ctx.path === '/device/auth' && ctx.body && typeof ctx.body === 'object' && 'device_code' in ctx.body) {
      ctx.body = { ...ctx.body, interval: DEVICE_POLL_INTERVAL_SECONDS };
    }
  });

  provider.registerGrantType(
    LOCAL_USER_GRANT,
    async (ctx) => {
      const params = ctx.oidc.params ?? {};
      const subject = checkedSubject(params.subject);
      const groups = checkedGroups(params.groups);
      const scope = typeof params.scope === 'string' && params.scope ? params.scope : undefined;
      const ttl = checkedTtl(params.expires_in, defaultTtl);
      const token = new provider.AccessToken({
        accountId: subject,
        client: ctx.oidc.client!,
        scope,
        expiresIn: ttl,
        resourceServer: new provider.ResourceServer(RESOURCE, resourceInfo(scope ?? '', ttl)),
      });
      groupsOf.set(token, groups);
      const accessToken = await token.save();
      ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: token.expiration, ...(scope ? { scope } : {}) };
    },
    ['subject', 'groups', 'scope', 'expires_in'],
  );

  // A client-credentials token with groups, so templates with allowAgents can be tried locally: real issuers put an
  // app's groups (Entra ID app roles, Okta claims) in its client-credentials tokens; this grant stands in for that.
  provider.registerGrantType(
    LOCAL_AGENT_GRANT,
    async (ctx) => {
      const params = ctx.oidc.params ?? {};
      const groups = checkedGroups(params.groups);
      const scope = typeof params.scope === 'string' && params.scope ? params.scope : undefined;
      const token = new provider.ClientCredentials({
        client: ctx.oidc.client!,
        scope,
        expiresIn: defaultTtl,
        resourceServer: new provider.ResourceServer(RESOURCE, resourceInfo(scope ?? '')),
      });
      groupsOf.set(token, groups);
      const accessToken = await token.save();
      ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: token.expiration, ...(scope ? { scope } : {}) };
    },
    ['groups', 'scope'],
  );

  const login = createLoginHandler(provider, {
    resource: RESOURCE,
    presetGroups: options.presetGroups ?? ['analysts'],
    reservedNames: [...agentClientIds, LOCAL_DEV_CLIENT, CLI_CLIENT],
    onLogin: (accountId, groups) => groupsOfAccount.set(accountId, groups),
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    login(req, res).then(
      (handled) => handled || callback(req, res),
      () => res.headersSent || res.writeHead(500).end(),
    );
  });
  const tokenEndpoint = `${issuer}/token`;

  return {
    issuer,
    jwksUri: `${issuer}${JWKS_PATH}`,
    tokenEndpoint,
    audience: options.audience,
    groupsClaim,
    cliClientId: CLI_CLIENT,
    userToken: (req) => requestUserToken(tokenEndpoint, req),
    agentToken: (req = {}) => requestAgentToken(tokenEndpoint, req),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The local provider's scope names are the route scopes themselves. */
const LOCAL_ROUTE_SCOPES = Object.fromEntries(ROUTE_SCOPES.map((s) => [s, [s]])) as NonNullable<IssuerConfig['scopes']>;

/** How the gateway's auth config names this provider (local mode and tests): no jwksUri, so the keys come through discovery. */
export function localIssuerConfig(idp: Pick<LocalIdentityProvider, 'issuer' | 'audience' | 'groupsClaim'>, overrides: Partial<IssuerConfig> = {}): IssuerConfig {
  return {
    issuer: idp.issuer,
    audience: idp.audience,
    groupsClaim: idp.groupsClaim,
    // it may assert any group, and maps the route scopes to themselves (`npm run token -- --scopes jobs:read`)
    trustedGroups: ['*'],
    scopeClaim: 'scope',
    scopes: LOCAL_ROUTE_SCOPES,
    // oidc-provider signs JWT access tokens (RFC 9068) with typ at+jwt: an ID token cannot pass for one
    typ: 'at+jwt',
    ...overrides,
  };
}

// Public clients: there is no secret worth keeping on a loopback-only developer provider, and `npm run token` needs none.
function publicClient(clientId: string, ...grantTypes: string[]) {
  return { client_id: clientId, token_endpoint_auth_method: 'none', grant_types: grantTypes, response_types: [], redirect_uris: [] };
}

async function generateSigningKeys(): Promise<JWK[]> {
  const keys: JWK[] = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    keys.push({ ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) });
  }
  return keys;
}

function checkedSubject(value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(value)) {
    throw new errors.InvalidRequest('subject must be 1 to 255 printable ASCII characters');
  }
  return value;
}

function checkedGroups(value: unknown): string[] {
  if (value === undefined) return [];
  let groups: unknown;
  try {
    groups = JSON.parse(String(value));
  } catch {
    throw new errors.InvalidRequest('groups must be a JSON array of strings');
  }
  if (!Array.isArray(groups) || groups.length > 100 || !groups.every((g) => typeof g === 'string' && g.length > 0 && g.length <= 256)) {
    throw new errors.InvalidRequest('groups must be a JSON array of up to 100 non-empty strings');
  }
  return [...new Set(groups as string[])];
}

function checkedTtl(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ttl = Number(value);
  if (!Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
    throw new errors.InvalidRequest(`expires_in must be an integer from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}`);
  }
  return ttl;
}
