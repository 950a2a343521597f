// Key mode: the rotation protocol for a Google service-account key, against the Secrets Manager model and the Google
// token emulator's IAM keys API and JWT-bearer grant, with a failure injected at every call and then the retry.
import { afterEach, describe, expect, test } from '@jest/globals';
import { startGoogleTokenEmulator, type GoogleTokenEmulator } from '../../local/emulators/google-tokens.js';
import { HttpDatabricksOAuthSecretsApi } from '../../lambda/adapters/databricks/oauth-secrets-api.js';
import { HttpDatabricksTokenApi } from '../../lambda/adapters/databricks/token-api.js';
import { CredentialTestFailed, MalformedSecret } from '../../lambda/rotation/errors.js';
import { IamKeyApi, parseServiceAccountKey } from '../../lambda/adapters/google/key-api.js';
import { createRotationHandler } from '../../lambda/rotation/rotation.js';
import { AWSCURRENT } from '../../lambda/rotation/secret-versions.js';
import { rotationTargets } from '../../lambda/rotation/targets.js';
import { describeFault, FaultPlan, faultsFor, InjectedFault, type FaultSpec } from './fault-plan.js';
import { recorders, rootCause, type Recorders } from './recorders.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

const SA = 'gateway-key@acme-data-test.iam.gserviceaccount.com';
const MUTATING = new Set(['secrets.putSecretValue', 'secrets.updateSecretVersionStage', 'google.createKey', 'google.deleteKey']);

interface World {
  readonly google: GoogleTokenEmulator;
  readonly sm: SecretsManagerModel;
  readonly plan: FaultPlan;
  readonly rec: Recorders;
  readonly initialKeyId: string;
  rotate(): ReturnType<SecretsManagerModel['rotate']>;
}

const open: World[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.google.close()));
});

async function world(options: { initialValue?: (google: GoogleTokenEmulator) => Promise<string> } = {}): Promise<World> {
  const google = await startGoogleTokenEmulator({ serviceAccounts: [{ email: SA, initialKey: true }] });
  const initial = google.serviceAccountKeys(SA)[0]!;
  const sm = new SecretsManagerModel('prod/data-job-gateway/google-key', options.initialValue ? await options.initialValue(google) : JSON.stringify(initial));
  const plan = new FaultPlan();
  const rec = recorders();
  const credentials = { type: 'service-account-key' as const, serviceAccount: SA, iamEndpoint: google.url, tokenUrl: google.oauthTokenUrl };
  const handler = createRotationHandler({
    secrets: plan.wrap('secrets', sm),
    rotatorFor: rotationTargets({
      settings: { dataproc: { projectId: 'acme-data-test', region: 'europe-west1', credentials }, tokenLifetimeDays: 45 },
      secretIds: { googleKey: sm.name },
      databricks: new HttpDatabricksTokenApi(),
      google: plan.wrap('google', new IamKeyApi({ iamEndpoint: google.url, tokenUrl: google.oauthTokenUrl })),
      databricksOAuth: new HttpDatabricksOAuthSecretsApi(),
      sleep: async () => {},
    }),
    audit: rec.audit,
    metrics: rec.metrics,
    log: rec.log,
  });
  const w: World = { google, sm, plan, rec, initialKeyId: initial.private_key_id, rotate: () => sm.rotate(handler, (step) => plan.enterStep(step)) };
  open.push(w);
  return w;
}

/** Whether Google issues a token for a key: what the jobs function's key client does with it. */
async function keyWorks(w: World, value: string): Promise<boolean> {
  try {
    await new IamKeyApi({ tokenUrl: w.google.oauthTokenUrl }).mintToken(parseServiceAccountKey(value, 'key under test'));
    return true;
  } catch {
    return false;
  }
}

const currentKeyId = (w: World) => parseServiceAccountKey(w.sm.valueAt(AWSCURRENT)!, 'current').keyId;
const liveKeyIds = (w: World) => w.google.serviceAccountKeys(SA).map((k) => k.private_key_id);

async function expectCompleted(w: World): Promise<void> {
  expect(w.sm.rotationComplete()).toBe(true);
  expect(currentKeyId(w)).not.toBe(w.initialKeyId);
  expect(await keyWorks(w, w.sm.valueAt(AWSCURRENT)!)).toBe(true);
  expect(liveKeyIds(w)).toEqual([currentKeyId(w)]);
  expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotated', credential: 'google-service-account-key', credentialId: currentKeyId(w) });
}

const FAULTS: FaultSpec[] = await (async () => {
  const w = await world();
  const run = await w.rotate();
  await w.google.close();
  open.length = 0;
  if (run.error) throw run.error;
  return faultsFor(w.plan.calls, MUTATING);
})();

describe('Google key rotation: a failure at every call, then the retry', () => {
  test('the recorded call sites include every IAM call', () => {
    const names = FAULTS.map(describeFault);
    for (const site of ['createSecret: after google.createKey#1', 'testSecret: before google.mintToken#1', 'finishSecret: before google.listKeyIds#1', 'finishSecret: after google.deleteKey#1']) {
      expect(names).toContain(site);
    }
  });

  test.each(FAULTS.map((f) => [describeFault(f), f] as const))('%s: the current key keeps working and a retry leaves one key', async (_name, fault) => {
    // GIVEN a secret holding the account's only key
    const w = await world();
    w.plan.arm(fault);

    // WHEN one rotation meets the failure
    const first = await w.rotate();

    // THEN the current key still works, unless the step absorbed the failure (a write that landed, a key Google had to wait for)
    expect(w.plan.fired).toBe(true);
    const absorbed = (fault.method === 'putSecretValue' && fault.when === 'after') || fault.method === 'mintToken';
    if (absorbed) {
      expect(first.error).toBeUndefined();
    } else {
      expect(rootCause(first.error)).toBeInstanceOf(InjectedFault);
      expect(await keyWorks(w, w.sm.valueAt(AWSCURRENT)!)).toBe(true);
      expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', step: first.failedStep });
      // WHEN Secrets Manager retries
      expect((await w.rotate()).error).toBeUndefined();
    }

    // THEN the new key is current, works, and is the account's only key
    await expectCompleted(w);
  });
});

describe('Google key rotation', () => {
  test('a key Google never accepts fails testSecret and leaves the current key in place', async () => {
    const w = await world();
    const mint = { step: 'testSecret', target: 'google', method: 'mintToken', when: 'before' } as const;
    w.plan.arm(...[1, 2, 3, 4, 5, 6].map((occurrence) => ({ ...mint, occurrence })));

    const first = await w.rotate();

    expect(first.failedStep).toBe('testSecret');
    expect(first.error).toBeInstanceOf(CredentialTestFailed);
    expect(currentKeyId(w)).toBe(w.initialKeyId);
    expect(await keyWorks(w, w.sm.valueAt(AWSCURRENT)!)).toBe(true);
    expect((await w.rotate()).error).toBeUndefined();
    await expectCompleted(w);
    expect(w.google.counts.keysCreated).toBe(1);
  });

  test('the current key held as base64 privateKeyData works too', async () => {
    const w = await world({ initialValue: async (g) => Buffer.from(JSON.stringify(g.serviceAccountKeys(SA)[0])).toString('base64') });
    expect((await w.rotate()).error).toBeUndefined();
    await expectCompleted(w);
  });

  test("a key of another service account is refused before IAM is called", async () => {
    const w = await world({ initialValue: async (g) => JSON.stringify(await g.createServiceAccountKey('someone-else@acme-data-test.iam.gserviceaccount.com')) });
    const run = await w.rotate();
    expect(run.error).toBeInstanceOf(MalformedSecret);
    expect((run.error as Error).message).toContain(`not of ${SA}`);
    expect(w.google.counts.keysCreated).toBe(0);
  });

  test('nothing reported holds key material', async () => {
    const w = await world();
    w.plan.arm({ step: 'createSecret', target: 'secrets', method: 'putSecretValue', occurrence: 1, when: 'before' });
    await w.rotate();
    await w.rotate();
    await expectCompleted(w);
    const reported = w.rec.everything();
    expect(reported).not.toContain('PRIVATE KEY');
    expect(reported).not.toMatch(/ya29\./);
  });
});
