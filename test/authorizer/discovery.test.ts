// Where the keys come from: an issuer without `jwksUri` is looked up in its OpenID discovery document, which must name
// the configured issuer exactly and a jwks_uri we may fetch; discovery failures fail closed, back off, and a failed
// re-read keeps the last good location.
import { jest } from '@jest/globals';
import { parseConfig } from '../../lib/config.js';
import { createAuthorizer, type AuthorizerDeps } from '../../lambda/authorizer/authorizer.js';
import { discoveryUrl, DiscoveryDocumentInvalid, parseDiscovery } from '../../lambda/authorizer/discovery.js';
import { createJwksFetcher } from '../../lambda/authorizer/jwks-fetcher.js';
import { recordingAudit, requestEvent, startJwksServer, TestIssuer, type JwksServer } from './fixtures.js';

const AUDIENCE = 'api://default';
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer();
});

afterAll(async () => {
  await server?.close();
});

/** An Okta custom authorization server: keys at <issuer>/v1/keys, not at <issuer>/.well-known/jwks.json. */
const oktaLike = (path: string) => TestIssuer.create(server, { path, alg: 'RS256', audience: AUDIENCE, jwksPath: `${path}/v1/keys` });

function build(issuers: Record<string, unknown>[], overrides: Partial<AuthorizerDeps> = {}) {
  const { audit, lines } = recordingAudit();
  const logger = { error: jest.fn() };
  const auth = parseConfig({ auth: { issuers } }).auth;
  const authorizer = createAuthorizer({ auth, audit, logger, jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }), ...overrides });
  return { authorizer, lines, logger };
}

const bearer = (token: string) => requestEvent(`Bearer ${token}`);
const wellKnown = (issuer: TestIssuer) => `${new URL(issuer.issuer).pathname}/.well-known/openid-configuration`;

describe('JWKS location from OpenID discovery', () => {
  it('accepts tokens of an issuer whose keys are not at the default path, with no jwksUri configured', async () => {
    // GIVEN an issuer publishing keys at <issuer>/v1/keys and nothing at <issuer>/.well-known/jwks.json
    const okta = await oktaLike('/okta-a/oauth2/default');
    const { authorizer } = build([{ issuer: okta.issuer, audience: AUDIENCE, scopeClaim: 'scp' }]);

    // WHEN one of its tokens arrives
    const result = await authorizer(bearer(await okta.token()));

    // THEN it is verified with the keys the discovery document points at
    expect(result).toMatchObject({ principalId: `${okta.issuer}#alice` });
    expect(server.fetchCount('/okta-a/oauth2/default/v1/keys')).toBe(1);
    expect(server.fetchCount('/okta-a/oauth2/default/.well-known/jwks.json')).toBe(0);
  });

  it('reads the discovery document once for many tokens', async () => {
    const okta = await oktaLike('/okta-b/oauth2/default');
    const { authorizer } = build([{ issuer: okta.issuer, audience: AUDIENCE }]);
    for (let i = 0; i < 5; i++) await authorizer(bearer(await okta.token({ sub: `user-${i}` })));
    expect(server.fetchCount(wellKnown(okta))).toBe(1);
  });

  it('never reads discovery when jwksUri is configured', async () => {
    const okta = await oktaLike('/okta-c/oauth2/default');
    const { authorizer } = build([{ issuer: okta.issuer, audience: AUDIENCE, jwksUri: okta.jwksUri }]);
    await expect(authorizer(bearer(await okta.token()))).resolves.toMatchObject({ principalId: `${okta.issuer}#alice` });
    expect(server.fetchCount(wellKnown(okta))).toBe(0);
  });

  it('refuses tokens (jwks_invalid) when the document names another issuer, and says why in the log', async () => {
    const okta = await oktaLike('/okta-d/oauth2/default');
    server.serve(wellKnown(okta), { issuer: `${okta.issuer}/`, jwks_uri: okta.jwksUri });
    const { authorizer, lines, logger } = build([{ issuer: okta.issuer, audience: AUDIENCE }]);

    await expect(authorizer(bearer(await okta.token()))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });

    expect(lines.at(-1)).toMatchObject({ event: 'auth.denied', reason: 'jwks_invalid' });
    expect(logger.error).toHaveBeenCalledWith('authorizer could not check a token', expect.objectContaining({ cause: expect.stringMatching(/DiscoveryDocumentInvalid: .*names issuer/) }));
    expect(server.fetchCount('/okta-d/oauth2/default/v1/keys')).toBe(0);
  });

  it('fails closed while discovery is unreachable, asks again only after a backoff, and recovers', async () => {
    // GIVEN an issuer whose discovery document is missing, and a clock the test moves
    const okta = await oktaLike('/okta-e/oauth2/default');
    server.remove(wellKnown(okta));
    let clock = Date.now();
    const { authorizer, lines } = build([{ issuer: okta.issuer, audience: AUDIENCE }], { now: () => clock });
    const token = await okta.token();

    // WHEN tokens arrive during the outage
    await expect(authorizer(bearer(token))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });
    await expect(authorizer(bearer(token))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });

    // THEN they are refused, and the second did not hit the issuer again (1 s backoff)
    expect(lines.map((l) => l.reason)).toEqual(['jwks_unavailable', 'jwks_unavailable']);
    expect(server.fetchCount(wellKnown(okta))).toBe(1);

    // WHEN the document is back and the backoff has passed
    server.serve(wellKnown(okta), { issuer: okta.issuer, jwks_uri: okta.jwksUri });
    clock += 1_000;

    // THEN the next token passes
    await expect(authorizer(bearer(token))).resolves.toMatchObject({ principalId: `${okta.issuer}#alice` });
    expect(server.fetchCount(wellKnown(okta))).toBe(2);
  });

  it('keeps the last good location when a re-read after the refresh period fails', async () => {
    const okta = await oktaLike('/okta-f/oauth2/default');
    let clock = Date.now();
    const { authorizer } = build([{ issuer: okta.issuer, audience: AUDIENCE }], { now: () => clock, discovery: { refreshSeconds: 60 } });
    await authorizer(bearer(await okta.token({ iat: Math.floor(clock / 1000) })));

    // WHEN the refresh period passes and the issuer now serves a broken document
    server.serve(wellKnown(okta), { jwks_uri: 'https://attacker.example/keys' });
    clock += 61_000;

    // THEN tokens still pass with the keys found before
    await expect(authorizer(bearer(await okta.token({ sub: 'bob', iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 600 })))).resolves.toMatchObject({
      principalId: `${okta.issuer}#bob`,
    });
    expect(server.fetchCount(wellKnown(okta))).toBe(2);
  });
});

describe('the discovery document', () => {
  const doc = (o: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;
  const from = 'https://acme.okta.com/oauth2/default/.well-known/openid-configuration';

  it('is found at <issuer>/.well-known/openid-configuration, any trailing slash removed (Auth0 issuers end in one)', () => {
    expect(discoveryUrl('https://acme.okta.com/oauth2/default')).toBe(from);
    expect(discoveryUrl('https://acme.eu.auth0.com/')).toBe('https://acme.eu.auth0.com/.well-known/openid-configuration');
  });

  it('yields an https jwks_uri', () => {
    expect(parseDiscovery(doc({ issuer: 'https://acme.okta.com/oauth2/default', jwks_uri: 'https://acme.okta.com/oauth2/default/v1/keys' }), 'https://acme.okta.com/oauth2/default', from)).toBe(
      'https://acme.okta.com/oauth2/default/v1/keys',
    );
  });

  it.each([
    ['an issuer that differs by a trailing slash', { issuer: 'https://acme.okta.com/oauth2/default/', jwks_uri: 'https://acme.okta.com/k' }, /names issuer/],
    ['no issuer', { jwks_uri: 'https://acme.okta.com/k' }, /names issuer undefined/],
    ['no jwks_uri', { issuer: 'https://acme.okta.com/oauth2/default' }, /has no jwks_uri/],
    ['a plain-http jwks_uri', { issuer: 'https://acme.okta.com/oauth2/default', jwks_uri: 'http://acme.okta.com/k' }, /not https/],
    ['a loopback http jwks_uri for an https issuer', { issuer: 'https://acme.okta.com/oauth2/default', jwks_uri: 'http://127.0.0.1:8081/k' }, /not https/],
    ['a jwks_uri with credentials', { issuer: 'https://acme.okta.com/oauth2/default', jwks_uri: 'https://u:p@acme.okta.com/k' }, /not https/],
  ])('is refused with %s', (_what, body, message) => {
    const parse = () => parseDiscovery(doc(body), 'https://acme.okta.com/oauth2/default', from);
    expect(parse).toThrow(DiscoveryDocumentInvalid);
    expect(parse).toThrow(message);
  });

  it('may point a loopback issuer (local mode) at a loopback http jwks_uri', () => {
    expect(parseDiscovery(doc({ issuer: 'http://127.0.0.1:8081', jwks_uri: 'http://127.0.0.1:8081/oauth/keys' }), 'http://127.0.0.1:8081', 'x')).toBe('http://127.0.0.1:8081/oauth/keys');
  });
});
