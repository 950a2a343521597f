// The first deploy: a RotationSchedule with RotateImmediatelyOnUpdate false still makes Secrets Manager run testSecret
// once, on an AWSPENDING version createSecret never filled, while the stack's secret may still hold its placeholder.
// Exactly that call sequence, against the Secrets Manager model and the Databricks emulator.
import { afterEach, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { HttpDatabricksOAuthSecretsApi } from '../../lambda/adapters/databricks/oauth-secrets-api.js';
import { HttpDatabricksTokenApi } from '../../lambda/adapters/databricks/token-api.js';
import { CredentialTestFailed, SecretNotProvisioned } from '../../lambda/rotation/errors.js';
import { IamKeyApi } from '../../lambda/adapters/google/key-api.js';
import { isPlaceholder } from '../../lambda/rotation/placeholder.js';
import { createRotationHandler } from '../../lambda/rotation/rotation.js';
import { AWSCURRENT, AWSPENDING } from '../../lambda/rotation/secret-versions.js';
import { rotationTargets } from '../../lambda/rotation/targets.js';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { recorders } from './recorders.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

const TOKEN = 'dapi0000configuration0000test0000';
const TOKEN_ID = 'token-in-use';

/** What CloudFormation puts in a secret created without a value: GenerateSecretString's defaults, 32 printable characters. */
const generatedPlaceholder = () => {
  const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
  return [...randomBytes(32)].map((b) => printable[b % printable.length]).join('');
};

const open: DatabricksEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function world(initial: (host: string) => string) {
  const emulator = await startDatabricksEmulator({ initialTokens: [{ tokenId: TOKEN_ID, value: TOKEN }] });
  open.push(emulator);
  const sm = new SecretsManagerModel('prod/data-job-gateway/databricks', initial(emulator.url));
  const rec = recorders();
  const handler = createRotationHandler({
    secrets: sm,
    rotatorFor: rotationTargets({
      settings: { databricks: { host: emulator.url, credentials: { type: 'pat' }, maxRetries: 0 }, tokenLifetimeDays: 45 },
      secretIds: { databricks: sm.arn },
      databricks: new HttpDatabricksTokenApi({ maxRetries: 0 }),
      google: new IamKeyApi(),
      databricksOAuth: new HttpDatabricksOAuthSecretsApi(),
    }),
    audit: rec.audit,
    metrics: rec.metrics,
    log: rec.log,
  });
  return { emulator, sm, rec, handler };
}

const provisioned = (host: string) => JSON.stringify({ host, token: TOKEN, tokenId: TOKEN_ID });

describe('Secrets Manager testing the rotation set-up (RotateImmediatelyOnUpdate: false)', () => {
  test('a secret still holding its placeholder passes the test, with no alarm and no failure event, and says it is not provisioned', async () => {
    // GIVEN the Databricks secret as the stack created it
    const placeholder = generatedPlaceholder();
    const w = await world(() => placeholder);

    // WHEN the rotation schedule is created without rotating immediately
    const run = await w.sm.testRotationConfiguration(w.handler);

    // THEN testSecret succeeded: the deploy goes on
    expect(run.error).toBeUndefined();
    // nothing counts towards the alarm, no failure is audited, and the audit trail says the secret awaits its credential
    expect(w.rec.metricCalls).toEqual([]);
    expect(w.rec.auditLines.map((l) => l.event)).toEqual(['secret.not_provisioned']);
    expect(w.rec.auditLines[0]).toMatchObject({ outcome: 'success', step: 'testSecret', reason: 'placeholder', secret: w.sm.name, credential: 'databricks-pat' });
    expect(w.rec.logLines.at(-1)?.message).toMatch(/not provisioned yet/);
    // the secret is as it was, the test version is gone, and Databricks was never called
    expect(w.sm.valueAt(AWSCURRENT)).toBe(placeholder);
    expect(w.sm.versionAt(AWSPENDING)).toBeUndefined();
    expect(w.emulator.calls()).toEqual([]);
    expect(w.rec.everything()).not.toContain(placeholder);
  });

  test('a provisioned secret is tested with its current credential, read-only', async () => {
    const w = await world(provisioned);

    const run = await w.sm.testRotationConfiguration(w.handler);

    expect(run.error).toBeUndefined();
    expect(w.emulator.calls().map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['GET /api/2.0/preview/scim/v2/Me 200', 'GET /api/2.0/token/list 200']);
    expect(w.rec.auditLines).toEqual([]);
    expect(w.sm.valueAt(AWSCURRENT)).toBe(provisioned(w.emulator.url));
  });

  test('a provisioned credential that does not work fails the test and raises the alarm', async () => {
    const w = await world((host) => JSON.stringify({ host, token: 'dapi-revoked-long-ago-0000000000', tokenId: 'gone' }));

    const run = await w.sm.testRotationConfiguration(w.handler);

    expect(run.error).toBeInstanceOf(CredentialTestFailed);
    expect(w.rec.metricCalls).toEqual([{ name: 'failed', kind: 'databricks-pat', step: 'testSecret' }]);
    expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', reason: 'test_failed', step: 'testSecret' });
  });

  test('a scheduled rotation of a secret still holding its placeholder fails at createSecret, saying what to do, and changes nothing', async () => {
    const placeholder = generatedPlaceholder();
    const w = await world(() => placeholder);

    const run = await w.sm.rotate(w.handler);

    expect(run.failedStep).toBe('createSecret');
    expect(run.error).toBeInstanceOf(SecretNotProvisioned);
    expect((run.error as Error).message).toMatch(/still holds the placeholder.*put the credential in it/);
    expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', reason: 'not_provisioned', step: 'createSecret' });
    expect(w.sm.valueAt(AWSCURRENT)).toBe(placeholder);
    expect(w.emulator.calls()).toEqual([]);
  });
});

describe('the placeholder', () => {
  test('is what GenerateSecretString makes by default, and no credential looks like it', () => {
    for (let i = 0; i < 50; i++) expect(isPlaceholder(generatedPlaceholder())).toBe(true);
    expect(isPlaceholder(JSON.stringify({ host: 'https://x', token: 'dapi0000', tokenId: '1' }))).toBe(false);
    expect(isPlaceholder('dapi0123456789abcdef0123456789abcdef')).toBe(false);
    expect(isPlaceholder('12345678901234567890123456789012')).toBe(false);
  });
});
