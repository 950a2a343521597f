// The authorizer's behaviour around verification: the verified-token cache, the revocation hook, failing closed when
// the issuer or a dependency is down, and the policy API Gateway caches.
import { jest } from '@jest/globals';
import { parseConfig, type GatewayConfig } from '../../lib/config.js';
import { createAuthorizer, type AuthorizerDeps } from '../../lambda/authorizer/authorizer.js';
import { createJwksFetcher } from '../../lambda/authorizer/jwks-fetcher.js';
import { stageWildcardArn } from '../../lambda/authorizer/policy.js';
import { ROUTE_SCOPES } from '../../contract/routes.js';
import { policyAllows } from '../../local/gateway.js';
import { recordingAudit, refusal, requestEvent, startJwksServer, TestIssuer, type JwksServer } from './fixtures.js';

const AUDIENCE = 'data-job-gateway';
let jwks: JwksServer;
let issuer: TestIssuer;
let auth: GatewayConfig['auth'];

beforeAll(async () => {
  jwks = await startJwksServer();
  // a user's token: issued to a client (client_id) other than its subject
  issuer = await TestIssuer.create(jwks, { path: '/idp', alg: 'ES256', audience: AUDIENCE, claims: { groups: ['analysts'], client_id: 'jobs-web' } });
  auth = parseConfig({ auth: { clockSkewSeconds: 0, issuers: [{ issuer: issuer.issuer, audience: AUDIENCE }] } }).auth;
});

afterAll(async () => {
  await jwks?.close();
});

function build(overrides: Partial<AuthorizerDeps> = {}) {
  const { audit, lines } = recordingAudit();
  const authorizer = createAuthorizer({ auth, audit, jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }), ...overrides });
  return { authorizer, lines };
}

const bearer = (token: string) => requestEvent(`Bearer ${token}`);

describe('verified-token cache', () => {
  it('serves a verified token from the cache: moving the clock before its iat still passes', async () => {
    // GIVEN a token verified once at its issue time
    let clock = Date.now();
    const { authorizer } = build({ now: () => clock });
    const token = await issuer.token({ iat: Math.floor(clock / 1000) });
    await authorizer(bearer(token));
    // WHEN the clock moves to before iat (re-verification would say issued_in_future)
    clock -= 3_600_000;
    // THEN the cached verification is reused
    await expect(authorizer(bearer(token))).resolves.toMatchObject({ context: { subject: 'alice' } });
  });

  it('verifies again when the cache is off', async () => {
    let clock = Date.now();
    const { authorizer, lines } = build({ now: () => clock, auth: { ...auth, verifiedTokenCacheSize: 0 } });
    const token = await issuer.token({ iat: Math.floor(clock / 1000) });
    await authorizer(bearer(token));
    clock -= 3_600_000;
    await expect(authorizer(bearer(token))).resolves.toMatchObject(refusal());
    expect(lines.at(-1)).toMatchObject({ reason: 'issued_in_future' });
  });

  it('drops a cached token when it expires', async () => {
    let clock = Date.now();
    const { authorizer, lines } = build({ now: () => clock });
    const token = await issuer.token({ exp: Math.floor(clock / 1000) + 60 });
    await authorizer(bearer(token));
    clock += 61_000;
    await expect(authorizer(bearer(token))).resolves.toMatchObject(refusal());
    expect(lines.at(-1)).toMatchObject({ event: 'auth.denied', reason: 'expired' });
  });

  it('runs the revocation hook on every call, cache hits included', async () => {
    const revoked = new Set<string>();
    const isRevoked = jest.fn(async (iss: string, sub: string) => revoked.has(`${iss}#${sub}`));
    const { authorizer, lines } = build({ isRevoked });
    const token = await issuer.token();
    await authorizer(bearer(token));
    revoked.add(`${issuer.issuer}#alice`);
    // the principal's own policy, marked revoked: the function re-reads the list, so a lift is not held in API Gateway's cache
    await expect(authorizer(bearer(token))).resolves.toMatchObject({ context: { subject: 'alice', tokenRefused: 'revoked' } });
    expect(isRevoked).toHaveBeenCalledTimes(2);
    expect(lines.at(-1)).toMatchObject({ event: 'auth.denied', reason: 'revoked', principal: { issuer: issuer.issuer, subject: 'alice', kind: 'user' } });
  });

  it('fails closed (API Gateway AUTHORIZER_FAILURE, not a 401) when the revocation check fails, and logs why', async () => {
    const logger = { error: jest.fn() };
    const { authorizer, lines } = build({ isRevoked: async () => Promise.reject(new Error('table unavailable')), logger });
    await expect(authorizer(bearer(await issuer.token()))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });
    expect(lines.at(-1)).toMatchObject({ reason: 'revocation_unavailable' });
    expect(logger.error).toHaveBeenCalledWith('authorizer could not check a token', expect.objectContaining({ reason: 'revocation_unavailable', cause: 'Error: table unavailable' }));
  });
});

describe('the authorizer’s own clock checks, apart from aws-jwt-verify’s', () => {
  // aws-jwt-verify reads the real clock; the authorizer reads `now`. Moving only `now` leaves the token valid for the
  // library, so these outcomes come from the authorizer's checks (exp, iat with auth.clockSkewSeconds) alone.
  const SKEW = 60;
  const withSkew = () => build({ auth: { ...auth, clockSkewSeconds: SKEW }, now: () => clock });
  let clock = 0;

  it('refuses a token whose exp passed longer ago than the clock skew', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = await issuer.token({ exp });
    clock = (exp + SKEW + 1) * 1000;
    const { authorizer, lines } = withSkew();
    await expect(authorizer(bearer(token))).resolves.toMatchObject(refusal());
    expect(lines.at(-1)).toMatchObject({ event: 'auth.denied', reason: 'expired' });
  });

  it('accepts a token whose exp passed less than the clock skew ago', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = await issuer.token({ exp });
    clock = (exp + SKEW - 2) * 1000;
    const { authorizer } = withSkew();
    await expect(authorizer(bearer(token))).resolves.toMatchObject({ context: { subject: 'alice' } });
  });

  it('refuses a token issued further in the future than the clock skew, and accepts one within it', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const token = await issuer.token({ iat });
    clock = (iat - SKEW - 2) * 1000;
    const early = withSkew();
    await expect(early.authorizer(bearer(token))).resolves.toMatchObject(refusal());
    expect(early.lines.at(-1)).toMatchObject({ reason: 'issued_in_future' });
    clock = (iat - SKEW + 2) * 1000;
    await expect(withSkew().authorizer(bearer(token))).resolves.toMatchObject({ context: { subject: 'alice' } });
  });
});

describe('issuer availability', () => {
  it('fails closed (API Gateway AUTHORIZER_FAILURE, not a 401) when the JWKS cannot be fetched, and logs it without the token', async () => {
    const logger = { error: jest.fn() };
    const missing = parseConfig({ auth: { issuers: [{ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: `${jwks.url}/nowhere.json` }] } }).auth;
    const { authorizer, lines } = build({ auth: missing, logger });
    const token = await issuer.token();
    await expect(authorizer(bearer(token))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });
    expect(lines.at(-1)).toMatchObject({ reason: 'jwks_unavailable' });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(logger.error.mock.calls).includes(token)).toBe(false);
  });

  it('refuses a plain-http JWKS unless loopback http was allowed (deployed authorizers never allow it)', async () => {
    const { authorizer, lines } = build({ jwksFetcher: createJwksFetcher() });
    await expect(authorizer(bearer(await issuer.token()))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });
    expect(lines.at(-1)).toMatchObject({ reason: 'jwks_unavailable' });
  });

  it('treats every token as from an unknown issuer when no issuer is configured', async () => {
    const { authorizer, lines } = build({ auth: { ...auth, issuers: [] } });
    await expect(authorizer(bearer(await issuer.token()))).resolves.toMatchObject(refusal());
    expect(lines.at(-1)).toMatchObject({ reason: 'unknown_issuer' });
  });
});

describe('policy', () => {
  it('allows every method and path of the stage, so API Gateway can reuse the cached result on other routes', async () => {
    const { authorizer } = build();
    const result = await authorizer(bearer(await issuer.token()));
    expect(result).toEqual({
      principalId: `${issuer.issuer}#alice`,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/*/*' }] },
      // no scope mapping: every route scope is granted
      context: { issuer: issuer.issuer, subject: 'alice', groups: '["analysts"]', kind: 'user', scopes: JSON.stringify(ROUTE_SCOPES) },
    });
  });

  describe('with the issuer\'s scopes mapped to route scopes', () => {
    const mapped = () => ({ ...auth, issuers: [{ ...auth.issuers[0]!, scopeClaim: 'scp', scopes: { 'jobs:read': ['jobs.read'], 'jobs:submit': ['jobs.submit'] } }] });
    const readOnly = () => issuer.token({ scp: ['jobs.read', 'profile'] });
    const event = (token: string, method: string, resource: string, path = resource) => ({
      ...bearer(token),
      httpMethod: method,
      resource,
      path,
      methodArn: `arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/${method}${path}`,
    });
    const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/';
    const READ_ROUTES = ['GET/templates', 'GET/templates/*', 'GET/jobs', 'GET/jobs/*', 'GET/jobs/*/output', 'GET/me'].map((r) => `${STAGE}${r}`);

    it('allows exactly the routes the token\'s scopes grant, whichever route it was asked for', async () => {
      const { authorizer, lines } = build({ auth: mapped() });
      const token = await readOnly();
      const onRead = await authorizer(event(token, 'GET', '/jobs/{id}', '/jobs/job-aaaaaaaaaaaaaaaaaaaaaaaaaa'));
      expect(onRead.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: READ_ROUTES }]);
      expect(lines).toEqual([]);
      // the same policy answers for every route from API Gateway's cache: reads pass, submit and cancel do not
      expect(policyAllows(onRead, `${STAGE}GET/jobs/job-aaaaaaaaaaaaaaaaaaaaaaaaaa`)).toBe(true);
      expect(policyAllows(onRead, `${STAGE}GET/templates`)).toBe(true);
      expect(policyAllows(onRead, `${STAGE}POST/jobs`)).toBe(false);
      expect(policyAllows(onRead, `${STAGE}POST/jobs/job-aaaaaaaaaaaaaaaaaaaaaaaaaa/cancel`)).toBe(false);
      expect(policyAllows(onRead, `${STAGE}DELETE/admin/revocations/rev-1`)).toBe(false);
    });

    it('audits missing_scope, with the scope the route needed, when asked for a route the token may not call', async () => {
      const { authorizer, lines } = build({ auth: mapped() });
      const result = await authorizer(event(await readOnly(), 'POST', '/jobs'));
      expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: READ_ROUTES }]);
      expect(lines).toEqual([expect.objectContaining({ event: 'auth.denied', reason: 'missing_scope', requiredScope: 'jobs:submit', principal: expect.objectContaining({ subject: 'alice' }) })]);
    });

    it('denies every route to a token none of whose scopes is mapped', async () => {
      const { authorizer, lines } = build({ auth: mapped() });
      const result = await authorizer(event(await issuer.token({ scp: ['profile'] }), 'GET', '/templates'));
      expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${STAGE}*/*` }]);
      expect(lines).toEqual([expect.objectContaining({ reason: 'missing_scope', requiredScope: 'jobs:read' })]);
    });
  });

  it.each([
    ['arn:aws:execute-api:us-east-1:111122223333:a1b2c3/dev/GET/templates/daily-etl', 'arn:aws:execute-api:us-east-1:111122223333:a1b2c3/dev/*/*'],
    ['arn:aws-cn:execute-api:cn-north-1:111122223333:a1b2c3/v1/POST/jobs/x/cancel', 'arn:aws-cn:execute-api:cn-north-1:111122223333:a1b2c3/v1/*/*'],
  ])('derives the stage wildcard from %s', (methodArn, wildcard) => {
    expect(stageWildcardArn(methodArn)).toBe(wildcard);
  });

  it('fails (a 500, not a 401) on a method ARN that is not API Gateway\'s', async () => {
    const { authorizer } = build();
    const event = { ...bearer(await issuer.token()), methodArn: 'arn:aws:lambda:eu-west-1:123456789012:function:x' };
    await expect(authorizer(event)).rejects.toThrow(/not an execute-api method ARN/);
  });
});

describe('Authorization header parsing', () => {
  it('accepts the scheme in any case, as RFC 7235 says', async () => {
    const { authorizer } = build();
    await expect(authorizer(requestEvent(`bEaReR ${await issuer.token()}`))).resolves.toMatchObject({ principalId: expect.any(String) });
  });

  it('accepts a header that only appears in the single-value map (the local gateway or a test console)', async () => {
    const { authorizer } = build();
    const event = { ...bearer(await issuer.token()), multiValueHeaders: null };
    await expect(authorizer(event)).resolves.toMatchObject({ principalId: expect.any(String) });
  });

  it.each([
    ['two spaces after the scheme', (t: string) => `Bearer  ${t}`, 'malformed'],
    ['a trailing space', (t: string) => `Bearer ${t} `, 'malformed'],
    ['the scheme alone', () => 'Bearer', 'missing_token'],
    ['an empty header', () => '', 'missing_token'],
  ])('rejects %s', async (_name, header, reason) => {
    const { authorizer, lines } = build();
    await expect(authorizer(requestEvent({ authorization: header(await issuer.token()) }))).resolves.toMatchObject(refusal());
    expect(lines.at(-1)).toMatchObject({ reason });
  });
});
