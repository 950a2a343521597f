// The local OIDC identity provider: oidc-provider on loopback, with discovery, a JWKS of keys generated at start,
// JWT access tokens for one resource (the gateway), a client-credentials client for agents, and a developer grant
// for user tokens.
//
// Why the developer grant is safe: real issuers sign users in interactively; here any caller may name a subject
// and groups. That is only acceptable because (1) this provider listens on loopback only, so only this machine can
// ask; (2) it runs in local mode only, its signing keys are generated at start and die with the process, and nothing
// deployed trusts its http://127.0.0.1 issuer (deployed authorizers fetch JWKS over https only); (3) the grant is
// registered in this file and nowhere else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import './expected-warnings.js';
import Provider, { errors, type AccessToken, type OidcContext, type ResourceServerInfo } from 'oidc-provider';
import type { IssuerConfig } from '../../lib/config.js';
import { ROUTE_SCOPES } from '../../lib/routes.js';
import { isLoopbackHost } from '../../lambda/authorizer/jwks-fetcher.js';
import {
  DEFAULT_AGENT_CLIENT,
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
}

export interface LocalIdentityProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly audience: string;
  readonly groupsClaim: string;
  /** A user token with the chosen subject and groups, through the developer grant. */
  userToken(req: UserTokenRequest): Promise<string>;
  /** A client-credentials token of an agent client. */
  agentToken(req?: AgentTokenRequest): Promise<string>;
  close(): Promise<void>;
}

/** The one resource server this provider issues tokens for; its `aud` is the configured audience. */
const RESOURCE = 'urn:data-job-gateway:api';
const MAX_TTL_SECONDS = 24 * 3600;
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

  const provider = new Provider(issuer, {
    clients: [
      ...agentClientIds.map((id) => publicClient(id, 'client_credentials')),
      publicClient(LOCAL_DEV_CLIENT, LOCAL_USER_GRANT),
    ],
    jwks: { keys: await generateSigningKeys() },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: OidcContext, resource: string) => {
          if (resource !== RESOURCE) throw new errors.InvalidTarget(`the only resource is ${RESOURCE}`);
          // a developer tool: an agent gets whichever scopes it asks for
          const scope = ctx.oidc.params?.scope;
          return resourceInfo(typeof scope === 'string' ? scope : '');
        },
      },
    },
    // not <issuer>/.well-known/jwks.json: like Okta's /v1/keys, the keys are found only through discovery
    routes: { jwks: JWKS_PATH },
    ttl: { ClientCredentials: defaultTtl },
    extraTokenClaims: (_ctx, token) => {
      const groups = groupsOf.get(token);
      return groups ? { [groupsClaim]: [...groups] } : undefined;
    },
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

  server.on('request', provider.callback());
  const tokenEndpoint = `${issuer}/token`;

  return {
    issuer,
    jwksUri: `${issuer}${JWKS_PATH}`,
    tokenEndpoint,
    audience: options.audience,
    groupsClaim,
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
function publicClient(clientId: string, grantType: string) {
  return { client_id: clientId, token_endpoint_auth_method: 'none', grant_types: [grantType], response_types: [], redirect_uris: [] };
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
