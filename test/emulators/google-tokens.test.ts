import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AwsClient } from 'google-auth-library';
import { importPKCS8, SignJWT, generateKeyPair } from 'jose';
import { ACCESS_TOKEN_TYPE, AWS4_SUBJECT_TOKEN_TYPE, startGoogleTokenEmulator, type GoogleTokenEmulator } from '../../local/emulators/google-tokens.js';

const AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/gateway';
const OTHER_AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/other';
const ROLE_ARN = 'arn:aws:sts::111122223333:assumed-role/gateway-jobs';
const AWS = { accessKeyId: 'AKIAGATEWAYTEST00001', secretAccessKey: 'gateway-test-secret-access-key', sessionToken: 'gateway-session-token' };
const ETL_SA = 'etl-runner@acme-data.iam.gserviceaccount.com';
const LOCKED_SA = 'billing-admin@acme-data.iam.gserviceaccount.com';
const KEYED_SA = 'key-holder@acme-data.iam.gserviceaccount.com';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A subject token exactly as google-auth-library's AwsClient builds it. */
async function subjectToken(options: { audience?: string; secretAccessKey?: string; accessKeyId?: string } = {}): Promise<string> {
  const client = new AwsClient({
    audience: options.audience ?? AUDIENCE,
    subject_token_type: AWS4_SUBJECT_TOKEN_TYPE,
    aws_security_credentials_supplier: {
      getAwsRegion: async () => 'eu-west-1',
      getAwsSecurityCredentials: async () => ({
        accessKeyId: options.accessKeyId ?? AWS.accessKeyId,
        secretAccessKey: options.secretAccessKey ?? AWS.secretAccessKey,
        token: AWS.sessionToken,
      }),
    },
  });
  return client.retrieveSubjectToken();
}

describe('Google token emulator', () => {
  let emu: GoogleTokenEmulator;
  // Real time (the signer uses it), shiftable to make a signature stale.
  let skewMs = 0;
  const clock = { now: () => Date.now() + skewMs };

  beforeAll(async () => {
    emu = await startGoogleTokenEmulator({
      clock,
      workloadIdentityAudiences: [AUDIENCE, OTHER_AUDIENCE],
      awsCredentials: { [AWS.accessKeyId]: { secretAccessKey: AWS.secretAccessKey, arn: `${ROLE_ARN}/gateway-jobs-fn`, sessionToken: AWS.sessionToken } },
      impersonation: { [ETL_SA]: [ROLE_ARN], [LOCKED_SA]: ['arn:aws:sts::999999999999:assumed-role/someone-else'] },
      serviceAccounts: [{ email: KEYED_SA, initialKey: true }],
      tokenLifetimeSeconds: 600,
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    skewMs = 0;
    emu.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
  });

  async function post(path: string, body: Record<string, string> | object, headers: Record<string, string> = {}, form = true): Promise<Answer> {
    const res = await fetch(`${emu.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
      body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }
  async function call(method: string, path: string, token?: string, body?: object): Promise<Answer> {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json() };
  }
  const exchange = async (overrides: Record<string, string> = {}, token?: string) =>
    post('/v1/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE,
      scope: CLOUD_PLATFORM,
      requested_token_type: ACCESS_TOKEN_TYPE,
      subject_token_type: AWS4_SUBJECT_TOKEN_TYPE,
      subject_token: token ?? (await subjectToken()),
      ...overrides,
    });
  const federatedToken = async () => (await exchange()).body.access_token as string;
  const generate = (email: string, token: string | undefined, body: object = { scope: [CLOUD_PLATFORM], lifetime: '3600s' }) =>
    call('POST', `/v1/projects/-/serviceAccounts/${email}:generateAccessToken`, token, body);

  async function assertion(keyFile: { private_key: string; client_email: string }, claims: { iat?: number; exp?: number; aud?: string; scope?: string } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: claims.scope ?? CLOUD_PLATFORM })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(keyFile.client_email)
      .setAudience(claims.aud ?? 'https://oauth2.googleapis.com/token')
      .setIssuedAt(claims.iat ?? now)
      .setExpirationTime(claims.exp ?? now + 3600)
      .sign(await importPKCS8(keyFile.private_key, 'RS256'));
  }
  const jwtGrant = (jwt: string) => post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt });

  describe('STS token exchange (POST /v1/token)', () => {
    it('exchanges a SigV4-signed GetCallerIdentity request for a federated access token', async () => {
      const answer = await exchange();
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ access_token: expect.any(String), issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: 600 });
      expect(emu.verifyAccessToken(answer.body.access_token)).toMatchObject({
        kind: 'federated',
        principal: `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/subject/${ROLE_ARN}/gateway-jobs-fn`,
        scopes: [CLOUD_PLATFORM],
      });
    });

    it('refuses an audience that is not a configured provider with invalid_target', async () => {
      const answer = await exchange({ audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/x/providers/y' });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_target');
      expect(typeof answer.body.error_description).toBe('string');
    });

    it('refuses a subject token signed for another provider (x-goog-cloud-target-resource)', async () => {
      const answer = await exchange({}, await subjectToken({ audience: OTHER_AUDIENCE }));
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_grant', error_description: expect.stringContaining('TargetResourceMismatch') });
    });

    it('refuses a signature made with the wrong secret', async () => {
      const answer = await exchange({}, await subjectToken({ secretAccessKey: 'not-the-secret' }));
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
      expect(answer.body.error_description).toContain('SignatureDoesNotMatch');
    });

    it('refuses a signed request altered after signing', async () => {
      const request = JSON.parse(decodeURIComponent(await subjectToken()));
      request.url = request.url.replace('Version=2011-06-15', 'Version=2011-06-15&Extra=1');
      const answer = await exchange({}, encodeURIComponent(JSON.stringify(request)));
      expect(answer.status).toBe(400);
      expect(answer.body.error_description).toContain('SignatureDoesNotMatch');
    });

    it('refuses an unknown access key', async () => {
      const answer = await exchange({}, await subjectToken({ accessKeyId: 'AKIAUNKNOWN000000000' }));
      expect(answer.status).toBe(400);
      expect(answer.body.error_description).toContain('InvalidClientTokenId');
    });

    it('refuses a signature dated more than 15 minutes away', async () => {
      const token = await subjectToken();
      skewMs = 16 * 60 * 1000;
      const answer = await exchange({}, token);
      expect(answer.status).toBe(400);
      expect(answer.body.error_description).toContain('RequestExpired');
    });

    it('refuses other grant types and subject token types', async () => {
      expect((await exchange({ grant_type: 'client_credentials' })).body.error).toBe('unsupported_grant_type');
      expect((await exchange({ subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' })).body.error).toBe('invalid_request');
      expect((await exchange({ subject_token: 'not-json' })).body.error).toBe('invalid_grant');
    });

    it('answers injected faults in the OAuth error dialect', async () => {
      emu.faults.settings = { errorRate: 1, kinds: ['503'], latencyMs: 0 };
      const answer = await exchange();
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('temporarily_unavailable');
    });
  });

  describe('IAM Credentials generateAccessToken', () => {
    it('gives a federated principal bound to the service account a token for it', async () => {
      const answer = await generate(ETL_SA, await federatedToken(), { scope: [CLOUD_PLATFORM], lifetime: '300s' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ accessToken: expect.stringMatching(/^ya29\./), expireTime: expect.any(String) });
      const lifetime = Date.parse(answer.body.expireTime) - Date.now();
      expect(lifetime).toBeGreaterThan(250_000);
      expect(lifetime).toBeLessThanOrEqual(300_000);
      expect(emu.verifyAccessToken(answer.body.accessToken)).toMatchObject({ principal: ETL_SA, kind: 'service_account', scopes: [CLOUD_PLATFORM] });
    });

    it('answers 403 PERMISSION_DENIED for a service account the principal is not bound to, or that does not exist', async () => {
      const token = await federatedToken();
      for (const email of [LOCKED_SA, 'ghost@acme-data.iam.gserviceaccount.com']) {
        const answer = await generate(email, token);
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual({ error: { code: 403, status: 'PERMISSION_DENIED', message: expect.stringContaining('iam.serviceAccounts.getAccessToken') } });
      }
    });

    it('answers 401 UNAUTHENTICATED without a valid bearer token', async () => {
      expect((await generate(ETL_SA, undefined)).body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
      expect((await generate(ETL_SA, 'ya29.made-up')).status).toBe(401);
    });

    it('answers 400 INVALID_ARGUMENT for a project id instead of -, no scope, or a lifetime over an hour', async () => {
      const token = await federatedToken();
      expect((await call('POST', `/v1/projects/acme-data/serviceAccounts/${ETL_SA}:generateAccessToken`, token, { scope: [CLOUD_PLATFORM] })).status).toBe(400);
      expect((await generate(ETL_SA, token, { scope: [] })).body.error.status).toBe('INVALID_ARGUMENT');
      expect((await generate(ETL_SA, token, { scope: [CLOUD_PLATFORM], lifetime: '7200s' })).body.error.status).toBe('INVALID_ARGUMENT');
    });

    it('expires tokens after their lifetime', async () => {
      const token = await federatedToken();
      expect(emu.verifyAccessToken(token)).toBeDefined();
      skewMs = 601 * 1000;
      expect(emu.verifyAccessToken(token)).toBeUndefined();
      expect((await generate(ETL_SA, token)).status).toBe(401);
    });
  });

  describe('OAuth 2.0 JWT-bearer grant (POST /token) and the IAM keys API', () => {
    it('mints a token for an assertion signed with a key the service account holds', async () => {
      const [keyFile] = emu.serviceAccountKeys(KEYED_SA);
      expect(keyFile?.token_uri).toBe(`${emu.url}/token`);
      const answer = await jwtGrant(await assertion(keyFile!));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ access_token: expect.any(String), expires_in: 600, token_type: 'Bearer' });
      expect(emu.verifyAccessToken(answer.body.access_token)).toMatchObject({ principal: KEYED_SA, kind: 'service_account' });
    });

    it('refuses an assertion signed by a key the service account does not hold', async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const jwt = await new SignJWT({ scope: CLOUD_PLATFORM })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(KEYED_SA)
        .setAudience('https://oauth2.googleapis.com/token')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      expect(await jwtGrant(jwt)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
    });

    it('refuses expired, over-long, wrongly addressed, unscoped and unknown-account assertions', async () => {
      const [keyFile] = emu.serviceAccountKeys(KEYED_SA);
      const now = Math.floor(Date.now() / 1000);
      const expired = await jwtGrant(await assertion(keyFile!, { iat: now - 7200, exp: now - 3600 }));
      expect(expired.body.error_description).toContain('short-lived');
      const overLong = await jwtGrant(await assertion(keyFile!, { exp: now + 7200 }));
      expect(overLong.body.error_description).toContain('short-lived');
      expect((await jwtGrant(await assertion(keyFile!, { aud: 'https://example.com/token' }))).body.error_description).toBe('Invalid JWT: Failed audience check.');
      expect((await jwtGrant(await assertion(keyFile!, { scope: '' }))).body.error).toBe('invalid_scope');
      expect((await jwtGrant(await assertion({ ...keyFile!, client_email: 'nobody@acme-data.iam.gserviceaccount.com' }))).body.error_description).toBe(
        'Invalid grant: account not found',
      );
    });

    it('creates, lists and deletes keys; a deleted key no longer mints tokens', async () => {
      const [initial] = emu.serviceAccountKeys(KEYED_SA);
      const token = (await jwtGrant(await assertion(initial!))).body.access_token as string;
      const keys = `/v1/projects/acme-data/serviceAccounts/${KEYED_SA}/keys`;

      const created = await call('POST', keys, token, { privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE' });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ name: expect.stringMatching(new RegExp(`^projects/acme-data/serviceAccounts/${KEYED_SA}/keys/[0-9a-f]{40}$`)), keyType: 'USER_MANAGED' });
      const keyFile = JSON.parse(Buffer.from(created.body.privateKeyData, 'base64').toString('utf8'));
      expect(keyFile).toMatchObject({ type: 'service_account', client_email: KEYED_SA, token_uri: `${emu.url}/token`, private_key: expect.stringContaining('BEGIN PRIVATE KEY') });
      const keyId = created.body.name.split('/').pop();
      expect(keyFile.private_key_id).toBe(keyId);

      const listed = await call('GET', keys, token);
      expect(listed.body.keys.map((k: { name: string }) => k.name)).toContain(created.body.name);
      expect(listed.body.keys.every((k: object) => !('privateKeyData' in k))).toBe(true);
      expect((await jwtGrant(await assertion(keyFile))).status).toBe(200);

      expect(await call('DELETE', `${keys}/${keyId}`, token)).toEqual({ status: 200, body: {} });
      expect((await call('GET', keys, token)).body.keys.map((k: { name: string }) => k.name)).not.toContain(created.body.name);
      expect(await jwtGrant(await assertion(keyFile))).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
      expect((await call('DELETE', `${keys}/${keyId}`, token)).body.error.status).toBe('NOT_FOUND');
    });

    it('requires a valid token and a known service account on the keys API', async () => {
      const keys = `/v1/projects/acme-data/serviceAccounts/${KEYED_SA}/keys`;
      expect((await call('GET', keys)).status).toBe(401);
      expect((await call('POST', keys, 'ya29.made-up', {})).status).toBe(401);
      const token = emu.issueServiceAccountToken(KEYED_SA);
      expect((await call('GET', '/v1/projects/acme-data/serviceAccounts/ghost@acme-data.iam.gserviceaccount.com/keys', token)).status).toBe(404);
      expect((await call('GET', keys, emu.issueServiceAccountToken(KEYED_SA, ['https://www.googleapis.com/auth/userinfo.email']))).status).toBe(403);
    });
  });
});
