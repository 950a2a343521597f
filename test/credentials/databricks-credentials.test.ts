import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretUnavailable, type SecretStore } from '../../lambda/core/secrets.js';
import { DatabricksCredentials, DatabricksCredentialsError } from '../../lambda/adapters/databricks/credentials.js';
import { SecretsManagerStore, StaticSecretStore } from '../../lambda/adapters/secrets-manager.js';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { ManualClock } from '../../local/emulators/faults.js';

/** A SecretStore that counts reads, so tests can see the cache at work. */
class CountingStore implements SecretStore {
  reads = 0;
  constructor(readonly inner: StaticSecretStore) {}
  async getSecretString(secretId: string): Promise<string> {
    this.reads++;
    return this.inner.getSecretString(secretId);
  }
}

const patSecret = (token: string) => JSON.stringify({ host: 'https://dbc-1.cloud.databricks.com', token, tokenId: `id-${token}` });

describe('DatabricksCredentials: pat', () => {
  test('reads the secret once within its TTL and again after it', async () => {
    let now = 0;
    const store = new CountingStore(new StaticSecretStore({ s: patSecret('dapi-one-0000') }));
    const creds = new DatabricksCredentials({ config: { type: 'pat' }, store, secretId: 's', now: () => now, secretTtlMs: 60_000 });
    expect(await creds.token()).toBe('dapi-one-0000');
    now = 59_999;
    expect(await creds.token()).toBe('dapi-one-0000');
    expect(store.reads).toBe(1);
    store.inner.set('s', patSecret('dapi-two-0000'));
    now = 60_000;
    expect(await creds.token()).toBe('dapi-two-0000');
    expect(store.reads).toBe(2);
  });

  test('invalidate() makes the next call read the secret again, before the TTL', async () => {
    const store = new CountingStore(new StaticSecretStore({ s: patSecret('dapi-one-0000') }));
    const creds = new DatabricksCredentials({ config: { type: 'pat' }, store, secretId: 's' });
    await creds.token();
    store.inner.set('s', patSecret('dapi-two-0000'));
    expect(await creds.token()).toBe('dapi-one-0000');
    creds.invalidate();
    expect(await creds.token()).toBe('dapi-two-0000');
    expect(store.reads).toBe(2);
  });

  test('concurrent callers share one secret read', async () => {
    const store = new CountingStore(new StaticSecretStore({ s: patSecret('dapi-one-0000') }));
    const creds = new DatabricksCredentials({ config: { type: 'pat' }, store, secretId: 's' });
    const tokens = await Promise.all([creds.token(), creds.token(), creds.token()]);
    expect(tokens).toEqual(['dapi-one-0000', 'dapi-one-0000', 'dapi-one-0000']);
    expect(store.reads).toBe(1);
  });

  test.each([
    ['not JSON', 'dapi-raw-token-value'],
    ['without token', JSON.stringify({ host: 'https://x', tokenId: 'abc' })],
    ['with a non-string token', JSON.stringify({ token: 12345 })],
  ])('a secret %s fails with SECRET_MALFORMED naming the secret, never its value', async (_what, value) => {
    const creds = new DatabricksCredentials({ config: { type: 'pat' }, store: new StaticSecretStore({ s: value }), secretId: 's' });
    const err = await creds.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksCredentialsError);
    expect(err).toMatchObject({ code: 'SECRET_MALFORMED', retryable: false, secretId: 's' });
    expect((err as Error).message).not.toContain('dapi-raw-token-value');
  });

  test('an unreadable secret is SECRET_UNAVAILABLE and retryable', async () => {
    const creds = new DatabricksCredentials({ config: { type: 'pat' }, store: new StaticSecretStore(), secretId: 'missing' });
    await expect(creds.token()).rejects.toMatchObject({ code: 'SECRET_UNAVAILABLE', retryable: true });
  });
});

describe('DatabricksCredentials: oauth-m2m against the emulator', () => {
  const clock = new ManualClock();
  let emu: DatabricksEmulator;
  let oidcCalls = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    if (String(input).endsWith('/oidc/v1/token')) oidcCalls++;
    return fetch(input, init);
  };

  beforeAll(async () => {
    emu = await startDatabricksEmulator({
      clock,
      oauthClients: [
        { clientId: 'sp-a', clientSecret: 'secret-a' },
        { clientId: 'sp-b', clientSecret: 'secret-b' },
      ],
      oauthTokenLifetimeSeconds: 3600,
    });
  });
  afterAll(() => emu.close());
  afterEach(() => {
    oidcCalls = 0;
  });

  const m2m = (store: SecretStore, extra: Partial<ConstructorParameters<typeof DatabricksCredentials>[0]> = {}) =>
    new DatabricksCredentials({ config: { type: 'oauth-m2m' }, store, secretId: 'm2m', fetch: countingFetch, now: () => clock.now(), ...extra });
  const secret = (clientId: string, clientSecret: string) => JSON.stringify({ host: emu.url, clientId, clientSecret });
  const me = async (token: string) =>
    (await fetch(`${emu.url}/api/2.0/preview/scim/v2/Me`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{ userName: string }>;

  test('exchanges the client secret for a token that works, and caches it until shortly before it expires', async () => {
    const creds = m2m(new StaticSecretStore({ m2m: secret('sp-a', 'secret-a') }), { secretTtlMs: 10 * 3600_000, refreshMarginMs: 300_000 });
    const first = await creds.token();
    expect((await me(first)).userName).toBe('sp-a');
    clock.advance(3600_000 - 300_001);
    expect(await creds.token()).toBe(first);
    expect(oidcCalls).toBe(1);
    clock.advance(1);
    const second = await creds.token();
    expect(second).not.toBe(first);
    expect(oidcCalls).toBe(2);
  });

  test('concurrent callers share one exchange', async () => {
    const creds = m2m(new StaticSecretStore({ m2m: secret('sp-a', 'secret-a') }));
    const tokens = await Promise.all([creds.token(), creds.token(), creds.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(oidcCalls).toBe(1);
  });

  test('a rotated client secret, once read after the TTL, replaces the cached token', async () => {
    const store = new StaticSecretStore({ m2m: secret('sp-a', 'secret-a') });
    const creds = m2m(store, { secretTtlMs: 60_000 });
    expect((await me(await creds.token())).userName).toBe('sp-a');
    store.set('m2m', secret('sp-b', 'secret-b'));
    clock.advance(60_000);
    expect((await me(await creds.token())).userName).toBe('sp-b');
    expect(oidcCalls).toBe(2);
  });

  test('a wrong client secret is OAUTH_INVALID_CLIENT, not retryable, and the message holds no secret', async () => {
    const creds = m2m(new StaticSecretStore({ m2m: secret('sp-a', 'wrong-secret-value') }));
    const err = await creds.token().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OAUTH_INVALID_CLIENT', retryable: false });
    expect((err as Error).message).toContain('401');
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });

  test('a throttled token endpoint is OAUTH_UNAVAILABLE and retryable', async () => {
    emu.failNext(429);
    const creds = m2m(new StaticSecretStore({ m2m: secret('sp-a', 'secret-a') }));
    await expect(creds.token()).rejects.toMatchObject({ code: 'OAUTH_UNAVAILABLE', retryable: true });
    expect(typeof (await creds.token())).toBe('string');
  });

  test('the configured host wins over the secret host for the token endpoint', async () => {
    const store = new StaticSecretStore({ m2m: JSON.stringify({ host: 'https://unreachable.invalid', clientId: 'sp-a', clientSecret: 'secret-a' }) });
    const creds = m2m(store, { host: emu.url });
    expect((await me(await creds.token())).userName).toBe('sp-a');
  });
});

describe('SecretsManagerStore', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => {
    sm.reset();
  });
  afterAll(() => sm.restore());

  test('reads the AWSCURRENT SecretString of the secret', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'databricks/gateway', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: patSecret('dapi-from-sm') });
    const store = new SecretsManagerStore(new SecretsManagerClient({ region: 'us-east-1' }));
    expect(JSON.parse(await store.getSecretString('databricks/gateway')).token).toBe('dapi-from-sm');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('a missing secret or a binary secret is SecretUnavailable, keeping the cause', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'gone' }).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    sm.on(GetSecretValueCommand, { SecretId: 'binary' }).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const store = new SecretsManagerStore(new SecretsManagerClient({ region: 'us-east-1' }));
    const gone = await store.getSecretString('gone').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(SecretUnavailable);
    expect((gone as Error).cause).toBeInstanceOf(ResourceNotFoundException);
    await expect(store.getSecretString('binary')).rejects.toBeInstanceOf(SecretUnavailable);
  });

  test('DatabricksCredentials over Secrets Manager caches the secret and re-reads it after invalidate()', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: patSecret('dapi-v1') }).resolves({ SecretString: patSecret('dapi-v2') });
    const creds = new DatabricksCredentials({
      config: { type: 'pat' },
      store: new SecretsManagerStore(new SecretsManagerClient({ region: 'us-east-1' })),
      secretId: 'databricks/gateway',
    });
    expect(await creds.token()).toBe('dapi-v1');
    expect(await creds.token()).toBe('dapi-v1');
    creds.invalidate();
    expect(await creds.token()).toBe('dapi-v2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
