// The local identity provider: discovery and JWKS, RFC 9068 JWT access tokens for users (developer grant) and agents
// (client credentials), and the limits of the developer grant.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { localIssuerConfig, startIdentityProvider, type LocalIdentityProvider } from '../../local/idp/provider.js';
import { LOCAL_DEV_CLIENT, LOCAL_USER_GRANT } from '../../local/idp/token-request.js';

const AUDIENCE = 'data-job-gateway';
let idp: LocalIdentityProvider;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  idp = await startIdentityProvider({ audience: AUDIENCE, agentClientIds: ['local-agent', 'ci-pipeline'] });
  jwks = (await (await fetch(idp.jwksUri)).json()) as JSONWebKeySet;
});

afterAll(async () => {
  await idp?.close();
});

/** Verify with jose against the published JWKS: the token is a real RFC 9068 access token of this issuer. */
async function verified(token: string) {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.issuer, audience: AUDIENCE, typ: 'at+jwt' });
  return { payload, protectedHeader };
}

async function tokenEndpointError(form: Record<string, string>): Promise<{ status: number; error: unknown }> {
  const res = await fetch(idp.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const body = (await res.json()) as { error?: unknown; access_token?: unknown };
  expect(body.access_token).toBeUndefined();
  return { status: res.status, error: body.error };
}

describe('discovery and keys', () => {
  it('listens on loopback with discovery naming its JWKS, token endpoint and grants', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: idp.issuer, jwks_uri: idp.jwksUri, token_endpoint: idp.tokenEndpoint });
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', LOCAL_USER_GRANT]));
  });

  it('publishes the RS256 and ES256 keys it generated at start, public parts only, away from <issuer>/.well-known/jwks.json', async () => {
    // the gateway must find them through discovery, as it must for Okta (<issuer>/v1/keys)
    expect(idp.jwksUri).toBe(`${idp.issuer}/oauth/keys`);
    expect((await fetch(`${idp.issuer}/.well-known/jwks.json`)).status).toBe(404);
    expect(jwks.keys.map((k) => [k.kty, k.alg, k.use])).toEqual([
      ['RSA', 'RS256', 'sig'],
      ['EC', 'ES256', 'sig'],
    ]);
    expect(jwks.keys.every((k) => k.d === undefined && typeof k.kid === 'string')).toBe(true);
  });

  it('generates new keys on every start', async () => {
    const other = await startIdentityProvider({ audience: AUDIENCE });
    try {
      const otherJwks = (await (await fetch(other.jwksUri)).json()) as JSONWebKeySet;
      expect(otherJwks.keys.map((k) => k.kid)).not.toEqual(jwks.keys.map((k) => k.kid));
    } finally {
      await other.close();
    }
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startIdentityProvider({ audience: AUDIENCE, host: '0.0.0.0' })).rejects.toThrow(/only listens on loopback/);
  });
});

describe('user tokens (developer grant)', () => {
  it('carries the chosen subject, groups and scopes, for the gateway audience', async () => {
    const token = await idp.userToken({ sub: 'alice', groups: ['analysts', 'data-eng'], scopes: ['jobs:read', 'jobs:submit'], ttlSeconds: 900 });
    const { payload, protectedHeader } = await verified(token);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: idp.issuer, aud: AUDIENCE, sub: 'alice', groups: ['analysts', 'data-eng'], scope: 'jobs:read jobs:submit', client_id: LOCAL_DEV_CLIENT });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('carries every route scope when none is asked for, so a developer token can call every route', async () => {
    const { payload } = await verified(await idp.userToken({ sub: 'alice', groups: [] }));
    expect(payload.scope).toBe('jobs:read jobs:submit jobs:cancel jobs:approve admin audit');
    const { payload: agent } = await verified(await idp.agentToken());
    expect(agent.scope).toBe('jobs:read jobs:submit jobs:cancel jobs:approve admin audit');
  });

  it('uses the configured groups claim and signing algorithm', async () => {
    const entraLike = await startIdentityProvider({ audience: AUDIENCE, groupsClaim: 'roles', signingAlg: 'ES256' });
    try {
      const token = await entraLike.userToken({ sub: 'bob', groups: ['Analyst'] });
      expect(decodeProtectedHeader(token).alg).toBe('ES256');
      expect(decodeJwt(token)).toMatchObject({ roles: ['Analyst'] });
      expect(decodeJwt(token).groups).toBeUndefined();
    } finally {
      await entraLike.close();
    }
  });

  it.each([
    ['an empty subject', { subject: '' }],
    ['a subject with a newline', { subject: 'alice\nadmin' }],
    ['groups that are not a JSON array', { subject: 'alice', groups: 'analysts' }],
    ['groups with a non-string', { subject: 'alice', groups: '["a", 1]' }],
    ['a lifetime beyond a day', { subject: 'alice', expires_in: '90000' }],
  ])('refuses %s', async (_name, params) => {
    const { status, error } = await tokenEndpointError({ grant_type: LOCAL_USER_GRANT, client_id: LOCAL_DEV_CLIENT, ...params });
    expect([status, error]).toEqual([400, 'invalid_request']);
  });

  it('is only open to the developer client', async () => {
    const { status, error } = await tokenEndpointError({ grant_type: LOCAL_USER_GRANT, client_id: 'local-agent', subject: 'alice' });
    expect(status).toBe(400);
    expect(error).toBe('invalid_request');
  });
});

describe('agent tokens (client credentials)', () => {
  it('has the client id as subject and no groups', async () => {
    const { payload } = await verified(await idp.agentToken({ scopes: ['jobs:submit'] }));
    expect(payload).toMatchObject({ sub: 'local-agent', client_id: 'local-agent', scope: 'jobs:submit', aud: AUDIENCE });
    expect(payload.groups).toBeUndefined();
  });

  it('serves every configured agent client', async () => {
    const { payload } = await verified(await idp.agentToken({ clientId: 'ci-pipeline' }));
    expect(payload.sub).toBe('ci-pipeline');
  });

  it('refuses an unknown client', async () => {
    await expect(idp.agentToken({ clientId: 'stranger' })).rejects.toMatchObject({ name: 'TokenRequestFailed', status: 401, oauthError: 'invalid_client' });
  });

  it('refuses the developer client', async () => {
    const { error } = await tokenEndpointError({ grant_type: 'client_credentials', client_id: LOCAL_DEV_CLIENT });
    expect(error).toBe('invalid_request');
  });
});

describe('issuer config for the gateway', () => {
  it('names the audience and the at+jwt type, leaves the JWKS to discovery; it may assert any group and its scope names are the route scopes', () => {
    expect(localIssuerConfig(idp)).toEqual({
      issuer: idp.issuer,
      audience: AUDIENCE,
      groupsClaim: 'groups',
      trustedGroups: ['*'],
      scopeClaim: 'scope',
      scopes: { 'jobs:read': ['jobs:read'], 'jobs:submit': ['jobs:submit'], 'jobs:cancel': ['jobs:cancel'], 'jobs:approve': ['jobs:approve'], admin: ['admin'], audit: ['audit'] },
      typ: 'at+jwt',
    });
  });
});
