// The rotation protocol for a Databricks service principal's OAuth secret (`oauth-m2m`), against the stateful Secrets
// Manager model and the Databricks emulator's service principal secrets API and /oidc/v1/token, with a failure injected
// at every call of every step and then the retry Secrets Manager makes.
import { afterEach, describe, expect, test } from '@jest/globals';
import { HttpDatabricksOAuthSecretsApi, type OAuthApiHttpOptions } from '../../lambda/adapters/databricks/oauth-secrets-api.js';
import type { RotatedOAuthSecret } from '../../lambda/rotation/databricks-oauth-rotator.js';
import { HttpDatabricksTokenApi } from '../../lambda/adapters/databricks/token-api.js';
import { CredentialApiFailed, CredentialTestFailed, MalformedSecret } from '../../lambda/rotation/errors.js';
import { IamKeyApi } from '../../lambda/adapters/google/key-api.js';
import { createRotationHandler, type RotationHandler } from '../../lambda/rotation/rotation.js';
import { AWSCURRENT, AWSPREVIOUS } from '../../lambda/rotation/secret-versions.js';
import { rotationTargets } from '../../lambda/rotation/targets.js';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { describeFault, FaultPlan, faultsFor, InjectedFault, type FaultSpec } from './fault-plan.js';
import { recorders, rootCause, type Recorders } from './recorders.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

const CLIENT_ID = '5f8d1c2e-3a4b-4c5d-9e6f-708192a3b4c5';
const INITIAL_SECRET = 'dose0000initial0000oauth0000secret';
const LIFETIME_DAYS = 45;
const MUTATING = new Set(['secrets.putSecretValue', 'secrets.updateSecretVersionStage', 'databricks.create', 'databricks.delete']);

interface World {
  readonly emulator: DatabricksEmulator;
  readonly sm: SecretsManagerModel;
  readonly plan: FaultPlan;
  readonly rec: Recorders;
  readonly handler: RotationHandler;
  rotate(onStep?: (step: string) => void): ReturnType<SecretsManagerModel['rotate']>;
}

const open: World[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.emulator.close()));
});

async function world(options: { secret?: (host: string, spId: string) => Record<string, unknown>; admin?: boolean; http?: OAuthApiHttpOptions } = {}): Promise<World> {
  const emulator = await startDatabricksEmulator({ oauthClients: [{ clientId: CLIENT_ID, clientSecret: INITIAL_SECRET, workspaceAdmin: options.admin ?? true }] });
  const spId = emulator.servicePrincipalId(CLIENT_ID)!;
  // What an operator puts in by hand: the JSON the jobs function needs, nothing more.
  const secret = options.secret?.(emulator.url, spId) ?? { host: emulator.url, clientId: CLIENT_ID, clientSecret: INITIAL_SECRET };
  const sm = new SecretsManagerModel('prod/data-job-gateway/databricks', JSON.stringify(secret));
  const plan = new FaultPlan();
  const rec = recorders();
  // Short waits: the emulator answers at once, and retries are Secrets Manager's job here.
  const api = new HttpDatabricksOAuthSecretsApi({ maxRetries: 1, baseDelayMs: 1, sleep: async () => {}, ...options.http });
  const handler = createRotationHandler({
    secrets: plan.wrap('secrets', sm),
    rotatorFor: rotationTargets({
      settings: { databricks: { host: emulator.url, credentials: { type: 'oauth-m2m' }, maxRetries: 1 }, tokenLifetimeDays: LIFETIME_DAYS },
      secretIds: { databricks: sm.arn },
      databricks: new HttpDatabricksTokenApi(),
      databricksOAuth: plan.wrap('databricks', api),
      google: new IamKeyApi(),
    }),
    audit: rec.audit,
    metrics: rec.metrics,
    log: rec.log,
  });
  const w: World = {
    emulator,
    sm,
    plan,
    rec,
    handler,
    rotate: (onStep) =>
      sm.rotate(handler, (step) => {
        plan.enterStep(step);
        onStep?.(step);
      }),
  };
  open.push(w);
  return w;
}

const current = (w: World) => JSON.parse(w.sm.valueAt(AWSCURRENT)!) as RotatedOAuthSecret;

/** What the jobs function does with the secret: exchange it at /oidc/v1/token. */
async function works(w: World, clientSecret: string): Promise<boolean> {
  const res = await fetch(`${w.emulator.url}/oidc/v1/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=all-apis',
  });
  return res.status === 200;
}

const liveSecretIds = (w: World) => w.emulator.servicePrincipalSecrets().filter((s) => !s.deleted).map((s) => s.id);
const secretsCreated = (w: World) => w.emulator.calls().filter((c) => c.method === 'POST' && c.path.endsWith('/credentials/secrets') && c.status === 200).length;

/** What must hold after every completed rotation: the new secret is current and works, and it is the principal's only one. */
async function expectCompleted(w: World): Promise<RotatedOAuthSecret> {
  expect(w.sm.rotationComplete()).toBe(true);
  const cur = current(w);
  expect(cur.clientSecret).not.toBe(INITIAL_SECRET);
  expect(await works(w, cur.clientSecret)).toBe(true);
  expect(liveSecretIds(w)).toEqual([cur.secretId]);
  expect(await works(w, INITIAL_SECRET)).toBe(false);
  expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotated', outcome: 'success', credential: 'databricks-oauth-secret', credentialId: cur.secretId });
  return cur;
}

// The call sites of one clean rotation, recorded once: every one of them gets a failure below.
const FAULTS: FaultSpec[] = await (async () => {
  const w = await world();
  const run = await w.rotate();
  await w.emulator.close();
  open.length = 0;
  if (run.error) throw run.error;
  return faultsFor(w.plan.calls, MUTATING);
})();

describe('Databricks OAuth secret rotation: a failure at every call, then the retry', () => {
  test('the recorded call sites cover every step and every call that changes something', () => {
    expect(new Set(FAULTS.map((f) => f.step))).toEqual(new Set(['createSecret', 'setSecret', 'testSecret', 'finishSecret']));
    const names = FAULTS.map(describeFault);
    for (const site of [
      'createSecret: before databricks.whoAmI#1',
      'createSecret: after databricks.create#1',
      'createSecret: after secrets.putSecretValue#1',
      'testSecret: before databricks.whoAmI#1',
      'testSecret: before databricks.list#1',
      'finishSecret: after secrets.updateSecretVersionStage#1',
      'finishSecret: before databricks.delete#1',
      'finishSecret: after databricks.delete#1',
    ]) {
      expect(names).toContain(site);
    }
  });

  test.each(FAULTS.map((f) => [describeFault(f), f] as const))('%s: AWSCURRENT keeps working and a retry leaves one live secret', async (_name, fault) => {
    // GIVEN a secret holding a working OAuth secret
    const w = await world();
    w.plan.arm(fault);

    // WHEN one rotation meets the failure
    const first = await w.rotate();

    // THEN the failure surfaced (unless the step could tell its write had landed), and AWSCURRENT still works
    expect(w.plan.fired).toBe(true);
    if (first.error === undefined) {
      expect(fault).toMatchObject({ target: 'secrets', method: 'putSecretValue', when: 'after' });
    } else {
      expect(rootCause(first.error)).toBeInstanceOf(InjectedFault);
      expect(await works(w, current(w).clientSecret)).toBe(true);
      expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', outcome: 'failure', step: first.failedStep, versionId: first.versionId });
      // The old secret is deleted only once the new one is AWSCURRENT and tested.
      if (first.failedStep !== 'finishSecret') expect(await works(w, INITIAL_SECRET)).toBe(true);

      // WHEN Secrets Manager retries the rotation
      const retry = await w.rotate();
      expect(retry.error).toBeUndefined();
      // A retry of the same version never makes a second secret once the first one is stored.
      if (retry.versionId === first.versionId && fault.step !== 'createSecret') expect(secretsCreated(w)).toBe(1);
    }

    // THEN the new secret is current, works, and is the principal's only secret
    await expectCompleted(w);
    expect(w.rec.metricCalls.at(-1)).toEqual({ name: 'rotated', kind: 'databricks-oauth-secret' });
  });
});

describe('Databricks OAuth secret rotation', () => {
  test('creates the secret with the configured lifetime through the workspace-level API, and records its ids', async () => {
    const w = await world();
    const run = await w.rotate();
    expect(run.error).toBeUndefined();
    const cur = await expectCompleted(w);
    const spId = w.emulator.servicePrincipalId(CLIENT_ID)!;
    const created = w.emulator.servicePrincipalSecrets().find((s) => s.id === cur.secretId)!;
    expect(created.expireTime! - created.createTime).toBe(LIFETIME_DAYS * 86_400 * 1000);
    expect(cur).toEqual({ host: w.emulator.url, clientId: CLIENT_ID, clientSecret: cur.clientSecret, secretId: cur.secretId, servicePrincipalId: spId });
    expect(w.emulator.calls().filter((c) => c.path.startsWith('/api/2.0/accounts/')).map((c) => `${c.method} ${c.path.replace(cur.secretId!, '<new>')}`)).toEqual(
      expect.arrayContaining([`POST /api/2.0/accounts/servicePrincipals/${spId}/credentials/secrets`, `GET /api/2.0/accounts/servicePrincipals/${spId}/credentials/secrets`]),
    );
    expect(JSON.parse(w.sm.valueAt(AWSPREVIOUS)!)).toMatchObject({ clientSecret: INITIAL_SECRET });
  });

  test('the old secret works until the new one is AWSCURRENT and tested, and stops working after finishSecret', async () => {
    const w = await world();
    const versionId = w.sm.startRotation();
    for (const Step of ['createSecret', 'setSecret', 'testSecret']) {
      await w.handler({ Step, SecretId: w.sm.arn, ClientRequestToken: versionId });
      expect(await works(w, INITIAL_SECRET)).toBe(true);
    }
    await w.handler({ Step: 'finishSecret', SecretId: w.sm.arn, ClientRequestToken: versionId });
    await expectCompleted(w);
  });

  test('successive rotations each leave exactly one live secret, under the five-secret limit', async () => {
    const w = await world();
    for (let i = 0; i < 6; i++) {
      expect((await w.rotate()).error).toBeUndefined();
      await expectCompleted(w);
    }
    expect(secretsCreated(w)).toBe(6);
  });

  test('finishSecret retried after AWSCURRENT moved deletes the previous secret', async () => {
    const w = await world();
    w.plan.arm({ step: 'finishSecret', target: 'databricks', method: 'delete', occurrence: 1, when: 'before' });
    const first = await w.rotate();
    expect(first.failedStep).toBe('finishSecret');
    expect(w.sm.stagesOf(first.versionId)).toContain(AWSCURRENT);
    expect(await works(w, INITIAL_SECRET)).toBe(true);

    w.plan.enterStep('finishSecret');
    await w.handler({ Step: 'finishSecret', SecretId: w.sm.arn, ClientRequestToken: first.versionId });

    await expectCompleted(w);
    expect(secretsCreated(w)).toBe(1);
  });

  test('a principal that may not manage its secrets fails at createSecret with the API error, and nothing changes', async () => {
    const w = await world({ admin: false });
    const run = await w.rotate();
    expect(run.failedStep).toBe('createSecret');
    expect(run.error).toBeInstanceOf(CredentialApiFailed);
    expect((run.error as CredentialApiFailed).code).toBe('PERMISSION_DENIED');
    expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', reason: 'credential_api_failed', step: 'createSecret' });
    expect(await works(w, INITIAL_SECRET)).toBe(true);
    expect(liveSecretIds(w)).toHaveLength(1);
  });

  test('a current value naming another service principal is refused before any secret is created', async () => {
    const w = await world({ secret: (host) => ({ host, clientId: CLIENT_ID, clientSecret: INITIAL_SECRET, servicePrincipalId: '4242' }) });
    const run = await w.rotate();
    expect(run.error).toBeInstanceOf(MalformedSecret);
    expect((run.error as Error).message).toMatch(/records service principal 4242/);
    expect(secretsCreated(w)).toBe(0);
  });

  test('a pending secret deleted by hand fails testSecret and stops working; AWSCURRENT keeps working', async () => {
    // GIVEN a rotation whose new secret was created and stored
    const w = await world();
    const versionId = w.sm.startRotation();
    for (const Step of ['createSecret', 'setSecret']) await w.handler({ Step, SecretId: w.sm.arn, ClientRequestToken: versionId });
    const pending = JSON.parse((await w.sm.getSecretValue(w.sm.arn, { versionId }))!.value) as Required<RotatedOAuthSecret>;
    expect(await works(w, pending.clientSecret)).toBe(true);

    // WHEN an admin deletes it before testSecret
    await new HttpDatabricksOAuthSecretsApi().delete({ host: w.emulator.url, clientId: CLIENT_ID, clientSecret: INITIAL_SECRET }, pending.servicePrincipalId, pending.secretId);

    // THEN it no longer works, testSecret fails, and the current secret is untouched
    expect(await works(w, pending.clientSecret)).toBe(false);
    await expect(w.handler({ Step: 'testSecret', SecretId: w.sm.arn, ClientRequestToken: versionId })).rejects.toThrow(CredentialTestFailed);
    expect(current(w).clientSecret).toBe(INITIAL_SECRET);
    expect(await works(w, INITIAL_SECRET)).toBe(true);
  });

  test('no log line, audit event or metric ever holds a secret value', async () => {
    const w = await world();
    w.plan.arm({ step: 'createSecret', target: 'secrets', method: 'putSecretValue', occurrence: 1, when: 'before' });
    await w.rotate();
    await w.rotate();
    await expectCompleted(w);
    const reported = w.rec.everything();
    for (const s of w.emulator.servicePrincipalSecrets()) expect(reported).not.toContain(s.value);
  });
});

test('a rotation refused by Databricks at testSecret keeps the old secret', async () => {
  const w = await world();
  const first = await w.rotate((step) => {
    if (step === 'testSecret') w.emulator.failNext(503, { count: 2, retryAfterSeconds: 0 });
  });
  expect(first.failedStep).toBe('testSecret');
  expect(first.error).toBeInstanceOf(CredentialTestFailed);
  expect(await works(w, INITIAL_SECRET)).toBe(true);
  const retry = await w.rotate();
  expect(retry.versionId).toBe(first.versionId);
  expect(secretsCreated(w)).toBe(1);
  await expectCompleted(w);
});
