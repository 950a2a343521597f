import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GoogleCredentialsConfig } from '../../contract/settings.js';
import { SecretUnavailable, type SecretStore } from '../../lambda/core/secrets.js';
import {
  createGoogleAuth,
  externalAccountOptions,
  GoogleCredentialsError,
  GoogleCredentialsMisconfigured,
  InvalidServiceAccount,
  type AwsCredentialSource,
} from '../../lambda/adapters/google/credentials.js';
import { startGoogleTokenEmulator, type GoogleTokenEmulator } from '../../local/emulators/google-tokens.js';

const AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/gateway';
const ROLE_ARN = 'arn:aws:sts::111122223333:assumed-role/gateway-jobs';
const AWS = { accessKeyId: 'AKIAGATEWAYTEST00002', secretAccessKey: 'wif-test-secret-access-key-do-not-leak', sessionToken: 'wif-test-session-token-do-not-leak' };
const GATEWAY_SA = 'gateway@acme-data.iam.gserviceaccount.com';
const REPORTS_SA = 'reports-runner@acme-data.iam.gserviceaccount.com';
const LOCKED_SA = 'billing-admin@acme-data.iam.gserviceaccount.com';
const KEYED_SA = 'key-holder@acme-data.iam.gserviceaccount.com';
const DELEGATE_SA = 'nightly-etl@acme-data.iam.gserviceaccount.com';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const SECRET_ID = 'data-job-gateway/google-sa-key';

const awsSource = (overrides: Partial<typeof AWS> = {}): AwsCredentialSource => ({
  region: 'eu-west-1',
  credentials: async () => ({ ...AWS, ...overrides }),
});

/** A SecretStore over a map, counting reads (what Secrets Manager would bill). */
class MapSecretStore implements SecretStore {
  reads = 0;
  readonly values = new Map<string, string>();
  async getSecretString(secretId: string): Promise<string> {
    this.reads++;
    const value = this.values.get(secretId);
    if (value === undefined) throw new SecretUnavailable(secretId);
    return value;
  }
}

async function failureOf(promise: Promise<unknown>): Promise<GoogleCredentialsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GoogleCredentialsError);
  return err as GoogleCredentialsError;
}

/** Everything a logger could print of the error, causes included. */
const printed = (err: unknown) => `${String(err)}\n${inspect(err, { depth: 10 })}\n${JSON.stringify(err)}`;

describe('Workload Identity Federation (external_account from AWS)', () => {
  let emu: GoogleTokenEmulator;
  const config = (): GoogleCredentialsConfig => ({
    type: 'workload-identity',
    audience: AUDIENCE,
    serviceAccount: GATEWAY_SA,
    tokenUrl: emu.stsTokenUrl,
    iamCredentialsEndpoint: emu.url,
  });

  beforeAll(async () => {
    emu = await startGoogleTokenEmulator({
      workloadIdentityAudiences: [AUDIENCE],
      awsCredentials: { [AWS.accessKeyId]: { secretAccessKey: AWS.secretAccessKey, arn: `${ROLE_ARN}/jobs-fn`, sessionToken: AWS.sessionToken } },
      impersonation: { [GATEWAY_SA]: [ROLE_ARN], [REPORTS_SA]: [ROLE_ARN], [LOCKED_SA]: [] },
    });
  });
  afterAll(() => emu.close());

  it('runs the real google-auth-library flow: STS exchange, then generateAccessToken for the default service account', async () => {
    const googleAuthFor = createGoogleAuth({ credentials: config(), aws: awsSource() });
    const client = googleAuthFor();
    const { token } = await client.getAccessToken();
    expect(emu.verifyAccessToken(token!)).toMatchObject({ principal: GATEWAY_SA, kind: 'service_account', scopes: [CLOUD_PLATFORM] });
    expect(emu.counts).toMatchObject({ stsExchange: 1, generateAccessToken: 1 });

    // One client per service account, and its token is reused while fresh.
    expect(googleAuthFor()).toBe(client);
    expect(googleAuthFor(GATEWAY_SA)).toBe(client);
    expect((await googleAuthFor().getAccessToken()).token).toBe(token);
    expect(emu.counts).toMatchObject({ stsExchange: 1, generateAccessToken: 1 });
  });

  it('authorizes API calls made through the client', async () => {
    const client = createGoogleAuth({ credentials: config(), aws: awsSource() })();
    const res = await client.request<Record<string, unknown>>({ url: `${emu.url}/v1/projects/-/serviceAccounts/${GATEWAY_SA}/keys` });
    expect(res.status).toBe(200);
  });

  it("gives a template's own service account a token for that account", async () => {
    const googleAuthFor = createGoogleAuth({ credentials: config(), aws: awsSource() });
    const client = googleAuthFor(REPORTS_SA);
    expect(client).not.toBe(googleAuthFor());
    const { token } = await client.getAccessToken();
    expect(emu.verifyAccessToken(token!)).toMatchObject({ principal: REPORTS_SA });
  });

  it('fails with a named error, without secrets, when the role may not impersonate the service account', async () => {
    const err = await failureOf(createGoogleAuth({ credentials: config(), aws: awsSource() })(LOCKED_SA).getAccessToken());
    expect(err).toMatchObject({ serviceAccount: LOCKED_SA, step: 'impersonation', code: 'PERMISSION_DENIED', retryable: false });
    expect(err.cause).toMatchObject({ name: 'GoogleEndpointError', status: 403 });
    for (const secret of [AWS.secretAccessKey, AWS.sessionToken, 'Signature=', 'ya29.']) expect(printed(err)).not.toContain(secret);
  });

  it('fails at the token exchange, without secrets, when the AWS signature is wrong', async () => {
    const wrong = 'wrong-secret-access-key-do-not-leak';
    const err = await failureOf(createGoogleAuth({ credentials: config(), aws: awsSource({ secretAccessKey: wrong }) })().getAccessToken());
    expect(err).toMatchObject({ step: 'token-exchange', code: 'invalid_grant', retryable: false });
    expect(String((err.cause as Error).message)).toContain('SignatureDoesNotMatch');
    for (const secret of [wrong, AWS.sessionToken, 'Signature=', 'x-amz-security-token']) expect(printed(err)).not.toContain(secret);
  });

  it('marks an unavailable token service as retryable', async () => {
    emu.faults.settings = { errorRate: 1, kinds: ['503'], latencyMs: 0 };
    try {
      const err = await failureOf(createGoogleAuth({ credentials: config(), aws: awsSource() })().getAccessToken());
      expect(err).toMatchObject({ step: 'token-exchange', code: 'temporarily_unavailable', retryable: true });
    } finally {
      emu.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
    }
  });

  it('reports AWS credentials that cannot be read as the aws-credentials step', async () => {
    const broken: AwsCredentialSource = { region: 'eu-west-1', credentials: async () => Promise.reject(new Error('no role credentials')) };
    const err = await failureOf(createGoogleAuth({ credentials: config(), aws: broken })().getAccessToken());
    expect(err).toMatchObject({ step: 'aws-credentials', retryable: false });
  });

  it('refuses a service account that is not an email before any call', () => {
    const googleAuthFor = createGoogleAuth({ credentials: config(), aws: awsSource() });
    for (const bad of ['../../v1/projects/-/serviceAccounts/x', 'a/b@acme.iam.gserviceaccount.com', 'no-at-sign', 'x@y.com?z']) {
      expect(() => googleAuthFor(bad)).toThrow(InvalidServiceAccount);
    }
  });

  it("deployed, reads the Lambda role's environment credentials through credential_source aws1 and Google's endpoints", () => {
    const options = externalAccountOptions({ audience: AUDIENCE, serviceAccount: GATEWAY_SA });
    expect(options).toMatchObject({
      type: 'external_account',
      audience: AUDIENCE,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      token_url: 'https://sts.googleapis.com/v1/token',
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${GATEWAY_SA}:generateAccessToken`,
      credential_source: { environment_id: 'aws1', regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15' },
    });
    expect(options).not.toHaveProperty('aws_security_credentials_supplier');
    expect(options.credential_source).not.toHaveProperty('url');
  });
});

describe('service-account key from a secret', () => {
  let emu: GoogleTokenEmulator;
  const secrets = new MapSecretStore();
  const keys = `/v1/projects/acme-data/serviceAccounts/${KEYED_SA}/keys`;
  const config = (extra: Partial<Extract<GoogleCredentialsConfig, { type: 'service-account-key' }>> = {}): GoogleCredentialsConfig => ({
    type: 'service-account-key',
    serviceAccount: KEYED_SA,
    iamCredentialsEndpoint: emu.url,
    ...extra,
  });

  beforeAll(async () => {
    // Tokens shorter than google-auth-library's 5-minute eager refresh: every getAccessToken goes to the token endpoint.
    emu = await startGoogleTokenEmulator({
      tokenLifetimeSeconds: 240,
      serviceAccounts: [{ email: KEYED_SA, initialKey: true }],
      impersonation: { [DELEGATE_SA]: [KEYED_SA] },
    });
  });
  afterAll(() => emu.close());

  it('mints a token with the key, then survives a rotation by re-reading the secret once, then fails clearly once the key is deleted', async () => {
    secrets.values.set(SECRET_ID, JSON.stringify(emu.serviceAccountKeys(KEYED_SA)[0]));
    secrets.reads = 0;
    const client = createGoogleAuth({ credentials: config(), secrets, secretId: SECRET_ID })();

    const first = (await client.getAccessToken()).token!;
    expect(emu.verifyAccessToken(first)).toMatchObject({ principal: KEYED_SA, kind: 'service_account', scopes: [CLOUD_PLATFORM] });
    expect(secrets.reads).toBe(1);

    // Rotation through the IAM keys API: new key into the secret (as IAM returns it, base64), old key deleted.
    const oldKeyId = emu.serviceAccountKeys(KEYED_SA)[0]!.private_key_id;
    const created = await client.request<{ name: string; privateKeyData: string }>({ url: `${emu.url}${keys}`, method: 'POST', data: {} });
    secrets.values.set(SECRET_ID, created.data.privateKeyData);
    await client.request({ url: `${emu.url}${keys}/${oldKeyId}`, method: 'DELETE' });
    expect(secrets.reads).toBe(1);

    const afterRotation = (await client.getAccessToken()).token!;
    expect(emu.verifyAccessToken(afterRotation)).toMatchObject({ principal: KEYED_SA });
    expect(secrets.reads).toBe(2);

    // The only key is deleted and the secret was not updated: a clear, named error.
    const newKeyId = created.data.name.split('/').pop()!;
    await client.request({ url: `${emu.url}${keys}/${newKeyId}`, method: 'DELETE' });
    const err = await failureOf(client.getAccessToken());
    expect(err).toMatchObject({ serviceAccount: KEYED_SA, step: 'jwt-grant', code: 'invalid_grant', retryable: false });
    expect(err.message).toBe(`the token endpoint rejected the key in secret ${SECRET_ID} for ${KEYED_SA}: invalid_grant (the secret still holds the same key)`);
    expect(secrets.reads).toBe(3);
    expect(printed(err)).not.toContain('PRIVATE KEY');
    expect(printed(err)).not.toContain(created.data.privateKeyData.slice(0, 40));
  });

  it("impersonates a template's own service account from the key's account", async () => {
    const keyFile = await emu.createServiceAccountKey(KEYED_SA);
    secrets.values.set(SECRET_ID, JSON.stringify(keyFile));
    const { token } = await createGoogleAuth({ credentials: config(), secrets, secretId: SECRET_ID })(DELEGATE_SA).getAccessToken();
    expect(emu.verifyAccessToken(token!)).toMatchObject({ principal: DELEGATE_SA });
  });

  it("sends the grant to the config's tokenUrl over the key file's token_uri", async () => {
    const keyFile = await emu.createServiceAccountKey(KEYED_SA);
    secrets.values.set(SECRET_ID, JSON.stringify({ ...keyFile, token_uri: 'https://oauth2.googleapis.com/token' }));
    const { token } = await createGoogleAuth({ credentials: config({ tokenUrl: emu.oauthTokenUrl }), secrets, secretId: SECRET_ID })().getAccessToken();
    expect(emu.verifyAccessToken(token!)).toMatchObject({ principal: KEYED_SA });
  });

  it('fails at the key-secret step when the secret is missing, unreadable as a key, or of another account', async () => {
    const missing = await failureOf(createGoogleAuth({ credentials: config(), secrets, secretId: 'no/such/secret' })().getAccessToken());
    expect(missing).toMatchObject({ step: 'key-secret', code: 'SECRET_UNAVAILABLE', retryable: true });
    expect(missing.cause).toBeInstanceOf(SecretUnavailable);

    secrets.values.set('garbage', 'not-json-but-sensitive-value');
    const garbage = await failureOf(createGoogleAuth({ credentials: config(), secrets, secretId: 'garbage' })().getAccessToken());
    expect(garbage).toMatchObject({ step: 'key-secret', code: 'INVALID_KEY' });
    expect(printed(garbage)).not.toContain('sensitive');

    const stranger = await emu.createServiceAccountKey('stranger@acme-data.iam.gserviceaccount.com');
    secrets.values.set('stranger', JSON.stringify(stranger));
    const mismatch = await failureOf(createGoogleAuth({ credentials: config(), secrets, secretId: 'stranger' })().getAccessToken());
    expect(mismatch).toMatchObject({ step: 'key-secret', code: 'KEY_ACCOUNT_MISMATCH' });
  });

  it('needs a secret store and a secret id', () => {
    expect(() => createGoogleAuth({ credentials: config() })).toThrow(GoogleCredentialsMisconfigured);
    expect(() => createGoogleAuth({ credentials: config(), secrets })).toThrow(GoogleCredentialsMisconfigured);
  });
});
