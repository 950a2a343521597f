// The bouncer suite: every token here must be refused (a refusal policy naming the reason, answered 401 by the API
// function) with one
// `auth.denied` audit event naming the reason, except the good tokens at the end. No test prints a token.
import { randomBytes } from 'node:crypto';
import { CompactEncrypt, UnsecuredJWT } from 'jose';
import { parseConfig, type GatewayConfig } from '../../lib/config.js';
import { ROUTE_SCOPES } from '../../contract/routes.js';
import { createAuthorizer, type RequestAuthorizer } from '../../lambda/authorizer/authorizer.js';
import type { DenialReason } from '../../contract/denials.js';
import { createJwksFetcher } from '../../lambda/authorizer/jwks-fetcher.js';
import { fromAuthorizerContext } from '../../lambda/core/principal.js';
import { localIssuerConfig, startIdentityProvider, type LocalIdentityProvider } from '../../local/idp/provider.js';
import { b64url, generateTestKey, recordingAudit, requestEvent, signCompact, startJwksServer, STAGE_WILDCARD, TestIssuer, refusal, type EventOptions, type JwksServer } from './fixtures.js';

const AUDIENCE = 'data-job-gateway';
const OKTA_AUDIENCE = 'api://data-job-gateway';
const COGNITO_CLIENT = 'cognito-client-1';

let jwks: JwksServer;
let idp: LocalIdentityProvider;
/** Okta-shaped RFC 9068 issuer: RS256 key whose JWK says alg RS256, typ at+jwt, scopes in `scp`, JWKS at the default path. */
let okta: TestIssuer;
/** Cognito-shaped issuer: ES256, access tokens carry client_id (no aud), groups in cognito:groups, scopes mapped to route scopes. */
let cognito: TestIssuer;
let auth: GatewayConfig['auth'];
let authorizer: RequestAuthorizer;
let lines: Record<string, unknown>[];

const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  jwks = await startJwksServer();
  idp = await startIdentityProvider({ audience: AUDIENCE });
  okta = await TestIssuer.create(jwks, { path: '/oauth2/default', alg: 'RS256', audience: OKTA_AUDIENCE, typ: 'at+jwt', claims: { cid: 'okta-app-1', scp: ['jobs:read'], groups: ['analysts'] } });
  cognito = await TestIssuer.create(jwks, {
    path: '/eu-west-1_TestPool',
    alg: 'ES256',
    audience: COGNITO_CLIENT,
    claims: { aud: undefined, token_use: 'access', client_id: COGNITO_CLIENT, username: 'alice', scope: 'gateway/jobs', 'cognito:groups': ['data-eng'] },
  });
  auth = parseConfig({
    auth: {
      clockSkewSeconds: 30,
      issuers: [
        localIssuerConfig(idp),
        // no jwksUri: <issuer>/.well-known/jwks.json
        { issuer: okta.issuer, audience: [OKTA_AUDIENCE, 'api://reporting'], trustedGroups: ['*'], scopeClaim: 'scp', typ: 'at+jwt' },
        {
          issuer: cognito.issuer,
          audience: COGNITO_CLIENT,
          jwksUri: cognito.jwksUri,
          tokenUse: 'access',
          groupsClaim: 'cognito:groups',
          trustedGroups: ['*'],
          scopes: { 'jobs:read': ['gateway/jobs'], 'jobs:submit': ['gateway/jobs'] },
        },
      ],
    },
  }).auth;
  const recording = recordingAudit();
  lines = recording.lines;
  authorizer = createAuthorizer({ auth, audit: recording.audit, jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }) });
});

afterAll(async () => {
  await idp?.close();
  await jwks?.close();
});

/** The token is refused with this reason and exactly one auth.denied event with it. */
async function expectUnauthorized(
  request: string | EventOptions,
  reason: DenialReason,
  target: { authorizer: RequestAuthorizer; lines: Record<string, unknown>[] } = { authorizer, lines },
): Promise<void> {
  const before = target.lines.length;
  const event = requestEvent(typeof request === 'string' ? { authorization: `Bearer ${request}` } : request);
  await expect(target.authorizer(event)).resolves.toMatchObject(refusal(reason));
  const denials = target.lines.slice(before);
  expect(denials).toHaveLength(1);
  expect(denials[0]).toMatchObject({ audit: true, event: 'auth.denied', outcome: 'denied', reason, requestId: 'req-0001', sourceIp: '203.0.113.7', userAgent: 'jest-suite/1.0' });
  // boolean assertion, so a failure cannot print the token
  const raw = typeof request === 'string' ? request : '';
  expect(raw !== '' && JSON.stringify(denials).includes(raw)).toBe(false);
}

const segments = (token: string) => token.split('.') as [string, string, string];
const json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
const unsigned = (header: object, payload: object, signature = '') => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${signature}`;

describe('the Authorization header', () => {
  it('rejects a request without an Authorization header', async () => {
    await expectUnauthorized({}, 'missing_token');
  });

  it('rejects two Authorization headers, even when both carry good tokens', async () => {
    const [a, b] = [await okta.token(), await okta.token({ sub: 'bob' })];
    await expectUnauthorized({ authorization: [`Bearer ${a}`, `Bearer ${b}`] }, 'multiple_authorization_headers');
  });

  it('rejects Authorization and authorization headers with different values', async () => {
    const [a, b] = [await okta.token(), await okta.token({ sub: 'bob' })];
    await expectUnauthorized({ headers: { Authorization: `Bearer ${a}`, authorization: `Bearer ${b}` }, multiValueHeaders: {} }, 'multiple_authorization_headers');
  });

  it('rejects two tokens joined in one header', async () => {
    const [a, b] = [await okta.token(), await okta.token({ sub: 'bob' })];
    await expectUnauthorized({ authorization: `Bearer ${a}, Bearer ${b}` }, 'malformed');
  });

  it.each([
    ['Basic credentials', `Basic ${Buffer.from('alice:secret').toString('base64')}`],
    ['a Token scheme', 'Token abc.def.ghi'],
    ['a bare token with no scheme', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'],
  ])('rejects the wrong scheme: %s', async (_name, header) => {
    await expectUnauthorized({ authorization: header }, 'wrong_scheme');
  });

  it('rejects an oversized token before parsing it', async () => {
    const token = await okta.token({ padding: 'x'.repeat(auth.maxTokenLength) });
    await expectUnauthorized(token, 'token_too_large');
  });
});

describe('signature algorithms', () => {
  it('rejects alg none (as jose writes an unsecured JWT)', async () => {
    const token = new UnsecuredJWT(okta.claims()).encode();
    await expectUnauthorized(token, 'algorithm_not_allowed');
  });

  it.each(['None', 'NONE', 'nOnE'])('rejects alg %s, a case variant of none', async (alg) => {
    await expectUnauthorized(unsigned({ alg, kid: okta.key.kid, typ: 'at+jwt' }, okta.claims()), 'algorithm_not_allowed');
  });

  it('rejects alg none even with a signature segment present', async () => {
    await expectUnauthorized(unsigned({ alg: 'none', kid: okta.key.kid, typ: 'at+jwt' }, okta.claims(), b64url('sig')), 'algorithm_not_allowed');
  });

  it('rejects HS256 signed with the RSA public key as the HMAC secret', async () => {
    const pem = okta.key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const token = signCompact(JSON.stringify(okta.header({ alg: 'HS256' })), JSON.stringify(okta.claims()), 'HS256', Buffer.from(pem));
    await expectUnauthorized(token, 'algorithm_not_allowed');
  });

  it('rejects HS512', async () => {
    const token = signCompact(JSON.stringify(okta.header({ alg: 'HS512' })), JSON.stringify(okta.claims()), 'HS512', randomBytes(64));
    await expectUnauthorized(token, 'algorithm_not_allowed');
  });

  it('rejects PS256, even signed by the real key', async () => {
    const token = signCompact(JSON.stringify(okta.header({ alg: 'PS256' })), JSON.stringify(okta.claims()), 'PS256', okta.key.privateKey);
    await expectUnauthorized(token, 'algorithm_not_allowed');
  });

  it('rejects a header alg (RS384) different from the JWK alg (RS256), even signed by the real key', async () => {
    const token = signCompact(JSON.stringify(okta.header({ alg: 'RS384' })), JSON.stringify(okta.claims()), 'RS384', okta.key.privateKey);
    await expectUnauthorized(token, 'algorithm_mismatch');
  });

  it('rejects an ES256 token naming an RSA key', async () => {
    const token = signCompact(JSON.stringify(okta.header({ alg: 'ES256' })), JSON.stringify(okta.claims()), 'ES256', cognito.key.privateKey);
    await expectUnauthorized(token, 'algorithm_mismatch');
  });
});

describe('keys named by the token itself', () => {
  it('rejects an embedded jwk header (the attacker key signs, the attacker key verifies)', async () => {
    const attacker = await generateTestKey('RS256');
    const token = signCompact(JSON.stringify(okta.header({ jwk: attacker.jwk, kid: attacker.kid })), JSON.stringify(okta.claims()), 'RS256', attacker.privateKey);
    await expectUnauthorized(token, 'embedded_key');
  });

  it('rejects a jku header pointing at an attacker JWKS', async () => {
    const attacker = await generateTestKey('RS256');
    const token = signCompact(JSON.stringify(okta.header({ jku: `${jwks.url}/attacker/jwks.json`, kid: attacker.kid })), JSON.stringify(okta.claims()), 'RS256', attacker.privateKey);
    await expectUnauthorized(token, 'embedded_key');
  });

  it('rejects an x5u header', async () => {
    const token = signCompact(JSON.stringify(okta.header({ x5u: 'https://attacker.example/cert.pem' })), JSON.stringify(okta.claims()), 'RS256', okta.key.privateKey);
    await expectUnauthorized(token, 'embedded_key');
  });

  it('rejects an x5c header', async () => {
    const token = signCompact(JSON.stringify(okta.header({ x5c: [b64url('not a cert')] })), JSON.stringify(okta.claims()), 'RS256', okta.key.privateKey);
    await expectUnauthorized(token, 'embedded_key');
  });
});

describe('kid', () => {
  it('rejects a token without a kid', async () => {
    await expectUnauthorized(await okta.token({}, { kid: undefined }), 'missing_kid');
  });

  it('rejects an unknown kid', async () => {
    await expectUnauthorized(await okta.token({}, { kid: 'no-such-key' }), 'unknown_kid');
  });

  it('rejects a non-string kid', async () => {
    const token = okta.rawToken(JSON.stringify(okta.header({ kid: 42 })), JSON.stringify(okta.claims()));
    await expectUnauthorized(token, 'malformed');
  });

  it('rejects a path traversal kid as an unknown kid (a kid is only ever compared, never used as a path)', async () => {
    await expectUnauthorized(await okta.token({}, { kid: '../../../../../../dev/null' }), 'unknown_kid');
  });

  it('fetches the JWKS at most once per penalty window during a flood of random kids', async () => {
    const flood = await TestIssuer.create(jwks, { path: '/flood', alg: 'ES256', audience: AUDIENCE });
    const path = '/flood/.well-known/jwks.json';
    const recording = recordingAudit();
    const target = {
      lines: recording.lines,
      authorizer: createAuthorizer({
        auth: parseConfig({ auth: { issuers: [{ issuer: flood.issuer, audience: AUDIENCE }] } }).auth,
        audit: recording.audit,
        jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }),
        jwksPenaltySeconds: 300,
      }),
    };
    await expect(target.authorizer(requestEvent(`Bearer ${await flood.token()}`))).resolves.toMatchObject({ principalId: expect.any(String) });
    expect(jwks.fetchCount(path)).toBe(1);

    // a burst of random kids: one refetch is allowed (a key rotation looks like this), then the penalty box holds
    const burst = await Promise.all(Array.from({ length: 40 }, () => flood.token({}, { kid: randomBytes(8).toString('hex') })));
    const results = await Promise.allSettled(burst.map((t) => target.authorizer(requestEvent(`Bearer ${t}`))));
    expect(results.every((r) => r.status === 'fulfilled' && r.value.context?.tokenRefused === 'unknown_kid')).toBe(true);
    expect(recording.lines.map((l) => l.reason)).toEqual(Array(40).fill('unknown_kid'));
    expect(jwks.fetchCount(path)).toBe(2);
    for (let i = 0; i < 10; i++) await expectUnauthorized(await flood.token({}, { kid: randomBytes(8).toString('hex') }), 'unknown_kid', target);
    expect(jwks.fetchCount(path)).toBe(2);

    // the real key still works from the cached JWKS
    await expect(target.authorizer(requestEvent(`Bearer ${await flood.token({ sub: 'bob' })}`))).resolves.toMatchObject({ principalId: expect.any(String) });
    expect(jwks.fetchCount(path)).toBe(2);
  });

  it('rejects every token of an issuer whose JWKS has two keys with the same kid', async () => {
    const first = await generateTestKey('ES256', 'shared-kid');
    const second = await generateTestKey('ES256', 'shared-kid');
    jwks.serve('/dup/keys', { keys: [first.jwk, second.jwk] });
    const dup = new TestIssuer(`${jwks.url}/dup`, AUDIENCE, first, `${jwks.url}/dup/keys`);
    const recording = recordingAudit();
    const target = {
      lines: recording.lines,
      authorizer: createAuthorizer({
        auth: parseConfig({ auth: { issuers: [{ issuer: dup.issuer, audience: AUDIENCE, jwksUri: dup.jwksUri }] } }).auth,
        audit: recording.audit,
        jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }),
      }),
    };
    // an issuer's broken JWKS is an outage, not a bad token: API Gateway's AUTHORIZER_FAILURE (503), audited
    await expect(target.authorizer(requestEvent(`Bearer ${await dup.token()}`))).rejects.toMatchObject({ name: 'TokenCheckUnavailable' });
    expect(recording.lines).toEqual([expect.objectContaining({ event: 'auth.denied', reason: 'jwks_invalid' })]);
  });
});

describe('tampering and encoding', () => {
  it('rejects a local identity provider token whose payload was changed (groups added)', async () => {
    const [h, p, s] = segments(await idp.userToken({ sub: 'alice', groups: ['analysts'] }));
    const forged = b64url(JSON.stringify({ ...json(p), groups: ['analysts', 'admins'] }));
    await expectUnauthorized(`${h}.${forged}.${s}`, 'bad_signature');
  });

  it('rejects a token whose header was changed', async () => {
    const [h, p, s] = segments(await idp.userToken({ sub: 'alice', groups: ['analysts'] }));
    const forged = b64url(JSON.stringify({ ...json(h), cty: 'JWT' }));
    await expectUnauthorized(`${forged}.${p}.${s}`, 'bad_signature');
  });

  it('rejects a token whose signature was changed', async () => {
    const [h, p, s] = segments(await idp.userToken({ sub: 'alice', groups: ['analysts'] }));
    const sig = Buffer.from(s, 'base64url');
    sig[10] = sig[10]! ^ 0xff;
    await expectUnauthorized(`${h}.${p}.${sig.toString('base64url')}`, 'bad_signature');
  });

  it('rejects a signature from another key of the same type', async () => {
    const other = await generateTestKey('ES256');
    const token = signCompact(JSON.stringify(cognito.header()), JSON.stringify(cognito.claims()), 'ES256', other.privateKey);
    await expectUnauthorized(token, 'bad_signature');
  });

  it('rejects characters outside base64url', async () => {
    const [h, p, s] = segments(await okta.token());
    await expectUnauthorized(`${h}.${p.slice(0, 10)}+${p.slice(11)}.${s}`, 'malformed');
  });

  it('rejects base64 padding', async () => {
    const [h, p, s] = segments(await okta.token());
    await expectUnauthorized(`${h}.${p}.${s}==`, 'malformed');
  });

  it('rejects a non-canonical base64url segment (stray trailing bits that decode to the same bytes)', async () => {
    let headerJson = JSON.stringify(okta.header());
    // one byte in the last quantum leaves 4 unused bits in the last character
    while (Buffer.byteLength(headerJson) % 3 !== 1) headerJson += ' ';
    const [h, p, s] = segments(okta.rawToken(headerJson, JSON.stringify(okta.claims())));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tweaked = h.slice(0, -1) + alphabet[alphabet.indexOf(h.at(-1)!) + 1];
    expect(Buffer.from(tweaked, 'base64url').equals(Buffer.from(h, 'base64url'))).toBe(true);
    await expectUnauthorized(`${tweaked}.${p}.${s}`, 'malformed');
  });

  it.each([
    ['two', (t: string) => t.split('.').slice(0, 2).join('.')],
    ['four', (t: string) => `${t}.${b64url('extra')}`],
    ['one', (t: string) => t.split('.')[1]!],
  ])('rejects %s segments', async (_n, cut) => {
    await expectUnauthorized(cut(await okta.token()), 'malformed');
  });

  it('rejects a JWE (an encrypted token) where a signed JWT is expected', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(okta.claims())))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: okta.key.kid })
      .encrypt(okta.key.publicKey);
    expect(jwe.split('.')).toHaveLength(5);
    await expectUnauthorized(jwe, 'malformed');
  });

  it('rejects an ECDSA signature with r = 0 and s = 0', async () => {
    const token = `${b64url(JSON.stringify(cognito.header()))}.${b64url(JSON.stringify(cognito.claims()))}.${Buffer.alloc(64).toString('base64url')}`;
    await expectUnauthorized(token, 'bad_signature');
  });

  it('rejects an ECDSA signature of the wrong size', async () => {
    const [h, p, s] = segments(await cognito.token());
    await expectUnauthorized(`${h}.${p}.${s}AAAA`, 'bad_signature');
  });

  it('rejects a header that is not JSON', async () => {
    const [, p, s] = segments(await okta.token());
    await expectUnauthorized(`${b64url('{"alg":"RS256",')}.${p}.${s}`, 'malformed');
  });
});

describe('time claims', () => {
  it('rejects an expired token', async () => {
    await expectUnauthorized(await okta.token({ iat: now() - 7200, exp: now() - 3600 }), 'expired');
  });

  it('rejects a token without exp', async () => {
    await expectUnauthorized(await okta.token({ exp: undefined }), 'missing_exp');
  });

  it('rejects an exp that is not a number', async () => {
    const token = okta.rawToken(JSON.stringify(okta.header()), JSON.stringify(okta.claims({ exp: String(now() + 600) })));
    await expectUnauthorized(token, 'malformed');
  });

  it('rejects nbf in the future (beyond the clock skew)', async () => {
    await expectUnauthorized(await okta.token({ nbf: now() + 3600 }), 'not_yet_valid');
  });

  it('rejects iat in the future (beyond the clock skew)', async () => {
    await expectUnauthorized(await okta.token({ iat: now() + 3600, exp: now() + 7200 }), 'issued_in_future');
  });
});

describe('issuer and audience', () => {
  it('rejects an issuer that is not configured, signed by the real key', async () => {
    await expectUnauthorized(await okta.token({ iss: 'https://evil.example.com/oauth2/default' }), 'unknown_issuer');
  });

  it('rejects a token without iss', async () => {
    await expectUnauthorized(await okta.token({ iss: undefined }), 'unknown_issuer');
  });

  it('rejects an issuer with a trailing slash', async () => {
    await expectUnauthorized(await okta.token({ iss: `${okta.issuer}/` }), 'unknown_issuer');
  });

  it('rejects the iss of one configured issuer with the aud of another', async () => {
    await expectUnauthorized(await okta.token({ aud: AUDIENCE }), 'wrong_audience');
  });

  it('rejects a wrong audience', async () => {
    await expectUnauthorized(await okta.token({ aud: 'api://someone-else' }), 'wrong_audience');
  });

  it('rejects a token without aud', async () => {
    await expectUnauthorized(await okta.token({ aud: undefined }), 'wrong_audience');
  });

  it('rejects a Cognito access token for another app client', async () => {
    await expectUnauthorized(await cognito.token({ client_id: 'another-client' }), 'wrong_audience');
  });
});

describe('token kind', () => {
  it('rejects an ID token (typ JWT, nonce, at_hash) where an at+jwt access token is required', async () => {
    const token = await okta.token({ aud: OKTA_AUDIENCE, nonce: 'n-0S6_WzA2Mj', at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' }, { typ: 'JWT' });
    await expectUnauthorized(token, 'wrong_typ');
  });

  it('rejects a Cognito ID token where an access token is required', async () => {
    const token = await cognito.token({ token_use: 'id', aud: COGNITO_CLIENT, client_id: undefined, 'cognito:username': 'alice' });
    await expectUnauthorized(token, 'wrong_token_use');
  });

  it('answers 403 (a Deny policy) and audits missing_scope for a valid token whose scopes grant no route', async () => {
    const before = lines.length;
    const result = await authorizer(requestEvent(`Bearer ${await cognito.token({ scope: 'openid profile' })}`));
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: STAGE_WILDCARD }]);
    expect(lines.slice(before)).toEqual([
      expect.objectContaining({
        event: 'auth.denied',
        outcome: 'denied',
        reason: 'missing_scope',
        requiredScope: 'jobs:submit',
        principal: expect.objectContaining({ issuer: cognito.issuer, subject: 'alice', kind: 'user' }),
      }),
    ]);
  });
});

describe('header and payload structure', () => {
  it('rejects an unknown crit header', async () => {
    const token = okta.rawToken(JSON.stringify(okta.header({ crit: ['urn:example:must-understand'], 'urn:example:must-understand': true })), JSON.stringify(okta.claims()));
    await expectUnauthorized(token, 'unsupported_crit');
  });

  it('rejects duplicate keys in the payload (the last would win in JSON.parse)', async () => {
    const payload = JSON.stringify(okta.claims()).replace(/^\{/, '{"sub":"admin",');
    await expectUnauthorized(okta.rawToken(JSON.stringify(okta.header()), payload), 'duplicate_key');
  });

  it('rejects duplicate keys hidden by an escape sequence', async () => {
    const payload = JSON.stringify(okta.claims()).replace(/^\{/, '{"\\u0073ub":"admin",');
    await expectUnauthorized(okta.rawToken(JSON.stringify(okta.header()), payload), 'duplicate_key');
  });

  it('rejects duplicate keys in the header', async () => {
    const header = JSON.stringify(okta.header()).replace(/\}$/, ',"alg":"none"}');
    await expectUnauthorized(okta.rawToken(header, JSON.stringify(okta.claims())), 'duplicate_key');
  });

  it('rejects a __proto__ claim', async () => {
    const payload = JSON.stringify(okta.claims()).replace(/^\{/, '{"__proto__":{"groups":["admins"]},');
    await expectUnauthorized(okta.rawToken(JSON.stringify(okta.header()), payload), 'forbidden_claim');
  });

  it('rejects a nested constructor claim', async () => {
    await expectUnauthorized(await okta.token({ profile: { constructor: { prototype: { admin: true } } } }), 'forbidden_claim');
  });

  it('rejects a token without sub', async () => {
    await expectUnauthorized(await okta.token({ sub: undefined }), 'missing_subject');
  });

  it('rejects a groups claim that is not a string or a list of strings', async () => {
    await expectUnauthorized(await okta.token({ groups: [{ name: 'admins' }] }), 'malformed');
  });
});

describe('good tokens from each configured issuer', () => {
  /** Allowed on the event's route (POST /jobs), with no audit line; `resources` is what the policy must allow. */
  async function allowed(token: string, resources: string | string[] = STAGE_WILDCARD) {
    const before = lines.length;
    const result = await authorizer(requestEvent(`Bearer ${token}`));
    expect(lines.length).toBe(before);
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources }]);
    return { result, principal: fromAuthorizerContext(result.context as Record<string, unknown>) };
  }
  const stage = STAGE_WILDCARD.replace('*/*', '');

  it('passes a user token from the local identity provider as a user with its groups, allowing exactly its scopes\' routes', async () => {
    const token = await idp.userToken({ sub: 'alice', groups: ['analysts', 'data-eng'], scopes: ['jobs:read', 'jobs:submit'] });
    const reads = ['GET/templates', 'GET/templates/*', 'POST/jobs', 'GET/jobs', 'GET/jobs/*', 'GET/jobs/*/output', 'GET/me'].map((r) => `${stage}${r}`);
    const { principal, result } = await allowed(token, reads);
    expect(principal).toEqual({ issuer: idp.issuer, subject: 'alice', groups: ['analysts', 'data-eng'], kind: 'user', scopes: ['jobs:read', 'jobs:submit'] });
    expect(result.principalId).toBe(`${idp.issuer}#alice`);
  });

  it('passes a client-credentials token from the local identity provider as an agent', async () => {
    const { principal } = await allowed(await idp.agentToken({ scopes: ['jobs:submit'] }), `${stage}POST/jobs`);
    expect(principal).toEqual({ issuer: idp.issuer, subject: 'local-agent', groups: [], kind: 'agent', scopes: ['jobs:submit'] });
  });

  it('passes an Okta-shaped user token, its JWKS found at the default well-known path', async () => {
    const { principal } = await allowed(await okta.token());
    // Okta maps no scopes here: no scope is checked, every route scope is granted
    expect(principal).toEqual({ issuer: okta.issuer, subject: 'alice', groups: ['analysts'], kind: 'user', scopes: [...ROUTE_SCOPES] });
    expect(jwks.fetchCount('/oauth2/default/.well-known/jwks.json')).toBeGreaterThan(0);
  });

  it('passes an Okta-shaped client-credentials token (sub equals cid) as an agent, with the second accepted audience', async () => {
    const { principal } = await allowed(await okta.token({ sub: 'okta-app-1', groups: undefined, aud: 'api://reporting' }));
    expect(principal).toMatchObject({ subject: 'okta-app-1', kind: 'agent', groups: [] });
  });

  const cognitoRoutes = () => ['GET/templates', 'GET/templates/*', 'POST/jobs', 'GET/jobs', 'GET/jobs/*', 'GET/jobs/*/output', 'GET/me'].map((r) => `${stage}${r}`);

  it('passes a Cognito-shaped access token with cognito:groups, its scope translated to route scopes', async () => {
    const { principal } = await allowed(await cognito.token(), cognitoRoutes());
    expect(principal).toEqual({ issuer: cognito.issuer, subject: 'alice', groups: ['data-eng'], kind: 'user', scopes: ['jobs:read', 'jobs:submit'] });
  });

  it('passes a Cognito client-credentials token (sub equals client_id, no username) as an agent', async () => {
    const { principal } = await allowed(await cognito.token({ sub: COGNITO_CLIENT, username: undefined, 'cognito:groups': undefined }), cognitoRoutes());
    expect(principal).toMatchObject({ subject: COGNITO_CLIENT, kind: 'agent' });
  });

  it('accepts a token issued a few seconds in the future, within the clock skew', async () => {
    await allowed(await okta.token({ iat: now() + 10, nbf: now() + 10 }));
  });
});
