// The rotation protocol for a Databricks PAT, against the stateful Secrets Manager model and the real Databricks
// emulator's Token API, with a failure injected at every call of every step and then the retry Secrets Manager makes.
import { afterEach, describe, expect, test } from '@jest/globals';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import type { RotatedPat } from '../../lambda/rotation/databricks-pat-rotator.js';
import { HttpDatabricksOAuthSecretsApi } from '../../lambda/adapters/databricks/oauth-secrets-api.js';
import { HttpDatabricksTokenApi, type TokenApiHttpOptions } from '../../lambda/adapters/databricks/token-api.js';
import { CredentialTestFailed, InvalidRotationEvent, MalformedSecret } from '../../lambda/rotation/errors.js';
import { IamKeyApi } from '../../lambda/adapters/google/key-api.js';
import { createRotationHandler, type RotationHandler } from '../../lambda/rotation/rotation.js';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../lambda/rotation/secret-versions.js';
import { rotationTargets } from '../../lambda/rotation/targets.js';
import { describeFault, FaultPlan, faultsFor, InjectedFault, type FaultSpec } from './fault-plan.js';
import { recorders, rootCause, type Recorders } from './recorders.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

const INITIAL_TOKEN = 'dapi0000initial0000token0000value';
const INITIAL_TOKEN_ID = 'initial-token-id';
const LIFETIME_DAYS = 45;
const MUTATING = new Set(['secrets.putSecretValue', 'secrets.updateSecretVersionStage', 'databricks.create', 'databricks.revoke']);

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

async function world(options: { secret?: (host: string) => Record<string, unknown>; http?: TokenApiHttpOptions } = {}): Promise<World> {
  const emulator = await startDatabricksEmulator({ initialTokens: [{ tokenId: INITIAL_TOKEN_ID, value: INITIAL_TOKEN, comment: 'created by hand' }] });
  const secret = options.secret?.(emulator.url) ?? { host: emulator.url, token: INITIAL_TOKEN, tokenId: INITIAL_TOKEN_ID };
  const sm = new SecretsManagerModel('prod/data-job-gateway/databricks', JSON.stringify(secret));
  const plan = new FaultPlan();
  const rec = recorders();
  // Short waits: the emulator answers at once, and retries are Secrets Manager's job here.
  const api = new HttpDatabricksTokenApi({ maxRetries: 1, baseDelayMs: 1, sleep: async () => {}, ...options.http });
  const handler = createRotationHandler({
    secrets: plan.wrap('secrets', sm),
    rotatorFor: rotationTargets({
      settings: { databricks: { host: emulator.url, credentials: { type: 'pat' }, maxRetries: 1 }, tokenLifetimeDays: LIFETIME_DAYS },
      secretIds: { databricks: sm.arn },
      databricks: plan.wrap('databricks', api),
      google: new IamKeyApi(),
      databricksOAuth: new HttpDatabricksOAuthSecretsApi(),
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

const current = (w: World) => JSON.parse(w.sm.valueAt(AWSCURRENT)!) as RotatedPat;

async function works(w: World, token: string): Promise<boolean> {
  const res = await fetch(`${w.emulator.url}/api/2.0/preview/scim/v2/Me`, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200;
}

const liveTokenIds = (w: World) => w.emulator.tokens().filter((t) => t.kind === 'pat' && !t.revoked).map((t) => t.tokenId);
const tokensCreated = (w: World) => w.emulator.calls().filter((c) => c.path === '/api/2.0/token/create' && c.status === 200).length;
const auditEvents = (w: World) => w.rec.auditLines.map((l) => l.event);

/** What must hold after every completed rotation: the new token is current and works, and it is the only live one. */
async function expectCompleted(w: World): Promise<RotatedPat> {
  expect(w.sm.rotationComplete()).toBe(true);
  const cur = current(w);
  expect(cur.tokenId).not.toBe(INITIAL_TOKEN_ID);
  expect(await works(w, cur.token)).toBe(true);
  expect(liveTokenIds(w)).toEqual([cur.tokenId]);
  expect(await works(w, INITIAL_TOKEN)).toBe(false);
  expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotated', outcome: 'success', credential: 'databricks-pat', credentialId: cur.tokenId });
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

describe('Databricks PAT rotation: a failure at every call, then the retry', () => {
  test('the recorded call sites cover every step and every call that changes something', () => {
    expect(new Set(FAULTS.map((f) => f.step))).toEqual(new Set(['createSecret', 'setSecret', 'testSecret', 'finishSecret']));
    const names = FAULTS.map(describeFault);
    for (const site of [
      'createSecret: after databricks.create#1',
      'createSecret: before secrets.putSecretValue#1',
      'createSecret: after secrets.putSecretValue#1',
      'testSecret: before databricks.whoAmI#1',
      'finishSecret: before secrets.updateSecretVersionStage#1',
      'finishSecret: after secrets.updateSecretVersionStage#1',
      'finishSecret: before databricks.revoke#1',
      'finishSecret: after databricks.revoke#1',
    ]) {
      expect(names).toContain(site);
    }
  });

  test.each(FAULTS.map((f) => [describeFault(f), f] as const))('%s: AWSCURRENT keeps working and a retry leaves one live token', async (_name, fault) => {
    // GIVEN a secret holding a working token
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
      expect(await works(w, current(w).token)).toBe(true);
      expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', outcome: 'failure', step: first.failedStep, versionId: first.versionId });
      // Before DescribeSecret answers, the function cannot know which credential the secret holds.
      const kind = fault.method === 'describeSecret' ? 'unknown' : 'databricks-pat';
      expect(w.rec.metricCalls.at(-1)).toEqual({ name: 'failed', kind, step: first.failedStep });

      // A credential createSecret made but could not store is revoked at once, unless its value was never received.
      const valueLost = fault.method === 'create' && fault.when === 'after';
      if (first.failedStep === 'createSecret' && !valueLost) expect(liveTokenIds(w)).toEqual([INITIAL_TOKEN_ID]);

      // WHEN Secrets Manager retries the rotation
      let liveAfterCreate: string[] = [];
      const retry = await w.rotate((step) => {
        if (step === 'setSecret') liveAfterCreate = liveTokenIds(w);
      });
      expect(retry.error).toBeUndefined();
      // Whatever the failed attempt left, createSecret ends with one token for the old version and one for the new.
      if (retry.versionId === first.versionId) expect(liveAfterCreate).toHaveLength(2);
      // A retry of the same version never makes a second token once the first one is stored.
      const storedBeforeFailure = fault.step !== 'createSecret';
      if (retry.versionId === first.versionId && storedBeforeFailure) expect(tokensCreated(w)).toBe(1);
    }

    // THEN the new token is current, works, and is the only live token
    await expectCompleted(w);
    expect(w.rec.metricCalls.at(-1)).toEqual({ name: 'rotated', kind: 'databricks-pat' });
  });
});

describe('Databricks PAT rotation', () => {
  test('creates the token with the configured lifetime and a comment naming the secret and version', async () => {
    const w = await world();
    const run = await w.rotate();
    expect(run.error).toBeUndefined();
    const cur = await expectCompleted(w);
    const record = w.emulator.tokens().find((t) => t.tokenId === cur.tokenId)!;
    expect(record.expiryTime - record.creationTime).toBe(LIFETIME_DAYS * 86_400 * 1000);
    expect(record.comment).toBe(`data-job-gateway rotation of ${w.sm.arn} version ${run.versionId}`);
    expect(cur).toEqual({ host: w.emulator.url, token: cur.token, tokenId: cur.tokenId, previousTokenId: INITIAL_TOKEN_ID });
    expect(JSON.parse(w.sm.valueAt(AWSPREVIOUS)!)).toMatchObject({ token: INITIAL_TOKEN, tokenId: INITIAL_TOKEN_ID });
  });

  test('successive rotations each leave exactly one live token', async () => {
    const w = await world();
    for (let i = 0; i < 3; i++) {
      expect((await w.rotate()).error).toBeUndefined();
      await expectCompleted(w);
    }
    expect(tokensCreated(w)).toBe(3);
    expect(auditEvents(w).filter((e) => e === 'secret.rotated')).toHaveLength(3);
  });

  test('finishSecret retried with the same ClientRequestToken after AWSCURRENT moved revokes the previous token', async () => {
    // GIVEN a finishSecret that moved AWSCURRENT, then failed before revoking
    const w = await world();
    w.plan.arm({ step: 'finishSecret', target: 'databricks', method: 'revoke', occurrence: 1, when: 'before' });
    const first = await w.rotate();
    expect(first.failedStep).toBe('finishSecret');
    expect(w.sm.stagesOf(first.versionId)).toContain(AWSCURRENT);
    expect(await works(w, INITIAL_TOKEN)).toBe(true);

    // WHEN Lambda retries that same step (the version is AWSCURRENT now, where AWS's templates would stop)
    w.plan.enterStep('finishSecret');
    await w.handler({ Step: 'finishSecret', SecretId: w.sm.arn, ClientRequestToken: first.versionId });

    // THEN the previous token is revoked and only the new one lives
    await expectCompleted(w);
    expect(tokensCreated(w)).toBe(1);
  });

  test('the other steps of a version that is already AWSCURRENT do nothing', async () => {
    const w = await world();
    const run = await w.rotate();
    const before = w.emulator.calls().length;
    for (const Step of ['createSecret', 'setSecret', 'testSecret']) {
      await w.handler({ Step, SecretId: w.sm.arn, ClientRequestToken: run.versionId });
    }
    expect(w.emulator.calls().length).toBe(before);
    await expectCompleted(w);
  });

  test('a token/create whose answer is lost (reset after the work) is retried by the client, and its orphan is revoked', async () => {
    // GIVEN a network that drops the first token/create answer after Databricks made the token
    let drop = true;
    const lossy: typeof fetch = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (drop && String(input).endsWith('/api/2.0/token/create')) {
        drop = false;
        await res.text();
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    };
    const w = await world({ http: { fetch: lossy } });

    // WHEN the rotation runs
    const run = await w.rotate();

    // THEN it completes, and the token whose value was lost is not left alive
    expect(run.error).toBeUndefined();
    expect(tokensCreated(w)).toBe(2);
    await expectCompleted(w);
  });

  test('Databricks unavailable during testSecret: the step fails, AWSCURRENT is untouched, the retry completes', async () => {
    const w = await world();
    const first = await w.rotate((step) => {
      if (step === 'testSecret') w.emulator.failNext(503, { count: 2, retryAfterSeconds: 0 });
    });
    expect(first.failedStep).toBe('testSecret');
    expect(first.error).toBeInstanceOf(CredentialTestFailed);
    expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', reason: 'test_failed', step: 'testSecret' });
    expect(current(w).token).toBe(INITIAL_TOKEN);
    expect(await works(w, INITIAL_TOKEN)).toBe(true);

    const retry = await w.rotate();
    expect(retry.versionId).toBe(first.versionId);
    expect(tokensCreated(w)).toBe(1);
    await expectCompleted(w);
  });

  test('a rotation abandoned by an operator (AWSPENDING removed) has its token revoked by the next rotation', async () => {
    // GIVEN a rotation stuck after createSecret, which an operator abandons
    const w = await world();
    const stuck = await w.rotate((step) => {
      if (step === 'setSecret') w.plan.arm({ step: 'setSecret', target: 'secrets', method: 'describeSecret', occurrence: 1, when: 'before' });
    });
    expect(stuck.failedStep).toBe('setSecret');
    const abandoned = (JSON.parse((await w.sm.getSecretValue(w.sm.arn, { versionId: stuck.versionId }))!.value) as RotatedPat).tokenId;
    w.sm.removeStage(AWSPENDING, stuck.versionId);

    // WHEN a new rotation runs
    const next = await w.rotate();

    // THEN it is a new version, and the abandoned version's token is revoked with the old one
    expect(next.versionId).not.toBe(stuck.versionId);
    expect(next.error).toBeUndefined();
    await expectCompleted(w);
    expect(w.emulator.tokens().find((t) => t.tokenId === abandoned)?.revoked).toBe(true);
  });

  test('a current value without tokenId is refused before any token is created', async () => {
    const w = await world({ secret: (host) => ({ host, token: INITIAL_TOKEN }) });
    const run = await w.rotate();
    expect(run.error).toBeInstanceOf(MalformedSecret);
    expect((run.error as Error).message).toMatch(/no "tokenId"/);
    expect(tokensCreated(w)).toBe(0);
    expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', reason: 'secret_malformed', step: 'createSecret' });
    expect(await works(w, INITIAL_TOKEN)).toBe(true);
  });

  type Refusal = readonly [what: string, arrange: (w: World) => { Step: string; version: 'staged' | 'unknown' | 'previous' }, message: RegExp];
  const refusals: Refusal[] = [
    [
      'rotation is not enabled',
      (w) => {
        w.sm.rotationEnabled = false;
        return { Step: 'createSecret', version: 'staged' };
      },
      /not enabled/,
    ],
    ['the step is unknown', () => ({ Step: 'deleteSecret', version: 'staged' }), /unknown rotation step/],
    ['the version has no staging label', () => ({ Step: 'createSecret', version: 'unknown' }), /has no staging label/],
    ['the version is not AWSPENDING', () => ({ Step: 'setSecret', version: 'previous' }), /is not AWSPENDING/],
  ];
  test.each(refusals)('refuses an event when %s, and changes nothing', async (_what, arrange, message) => {
    const w = await world();
    const done = await w.rotate();
    const staged = w.sm.startRotation();
    const { Step, version } = arrange(w);
    const versions = w.sm.versionCount;
    const ClientRequestToken = { staged, unknown: 'no-such-version', previous: w.sm.versionAt(AWSPREVIOUS)! }[version];

    const attempt = w.handler({ Step, SecretId: w.sm.arn, ClientRequestToken });

    await expect(attempt).rejects.toThrow(InvalidRotationEvent);
    await expect(attempt).rejects.toThrow(message);
    expect(w.sm.versionCount).toBe(versions);
    expect(w.sm.versionAt(AWSCURRENT)).toBe(done.versionId);
    expect(w.rec.auditLines.at(-1)).toMatchObject({ event: 'secret.rotation_failed', reason: 'invalid_event' });
  });

  test('no log line, audit event or metric ever holds a token value', async () => {
    const w = await world();
    w.plan.arm({ step: 'createSecret', target: 'secrets', method: 'putSecretValue', occurrence: 1, when: 'before' });
    await w.rotate();
    await w.rotate((step) => {
      if (step === 'testSecret') w.emulator.failNext(503, { count: 2, retryAfterSeconds: 0 });
    });
    await w.rotate();
    await expectCompleted(w);
    const reported = w.rec.everything();
    expect(w.emulator.tokens().length).toBeGreaterThan(2);
    for (const t of w.emulator.tokens()) expect(reported).not.toContain(t.value);
    expect(reported).not.toMatch(/dapi[0-9a-f]{8,}/);
  });
});
