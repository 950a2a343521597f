// The Secrets Manager rotation protocol (createSecret → setSecret → testSecret → finishSecret), keyed by the
// ClientRequestToken, which is the id of the version being rotated in. Every step can be retried: a step that finds its
// work done does nothing, and no step before finishSecret touches AWSCURRENT, so a failure leaves it working.
import type { AuditTrail } from '../core/audit.js';
import { InvalidRotationEvent, MalformedSecret, reasonOf, RotationError, SecretNotProvisioned, SecretStoreFailed } from './errors.js';
import { isPlaceholder } from './placeholder.js';
import type { CredentialKind, CredentialRotator, RotationContext } from './rotator.js';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, versionWithStage, type SecretDescription, type SecretValue, type SecretVersions, type VersionSelector } from './secret-versions.js';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** What Secrets Manager sends the rotation function (aws-lambda's SecretsManagerRotationEvent). */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

export interface RotationMetrics {
  rotated(kind: CredentialKind): void;
  failed(kind: CredentialKind | 'unknown', step: string): void;
}

/** The logger calls the protocol makes (Powertools Logger fits). Nothing passed here ever holds a secret value. */
export interface RotationLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface RotationDeps {
  readonly secrets: SecretVersions;
  /** The rotator for a secret; throws RotationNotSupported for a secret this function does not rotate. */
  readonly rotatorFor: (description: SecretDescription) => CredentialRotator;
  readonly audit: AuditTrail;
  readonly metrics: RotationMetrics;
  readonly log: RotationLog;
}

export type RotationHandler = (event: RotationEvent, invocation?: { readonly awsRequestId?: string }) => Promise<void>;

export function createRotationHandler(deps: RotationDeps): RotationHandler {
  return async (event, invocation) => {
    const facts: { kind?: CredentialKind; secret?: string } = {};
    const where = { step: event.Step, secretId: event.SecretId, versionId: event.ClientRequestToken };
    try {
      await new Rotation(deps, event, facts).run();
    } catch (err) {
      const reason = reasonOf(err);
      const detail = err instanceof RotationError ? err.message : `unexpected ${err instanceof Error ? err.name : 'error'}`;
      deps.audit.record({
        event: 'secret.rotation_failed',
        outcome: 'failure',
        reason,
        detail,
        ...where,
        ...(facts.secret !== undefined && { secret: facts.secret }),
        ...(facts.kind !== undefined && { credential: facts.kind }),
        ...(invocation?.awsRequestId !== undefined && { requestId: invocation.awsRequestId }),
      });
      deps.metrics.failed(facts.kind ?? 'unknown', event.Step);
      throw err;
    }
  };
}

const isStep = (step: string): step is RotationStep => (ROTATION_STEPS as readonly string[]).includes(step);

class Rotation {
  private readonly secretId: string;
  private readonly versionId: string;

  constructor(
    private readonly deps: RotationDeps,
    private readonly event: RotationEvent,
    private readonly facts: { kind?: CredentialKind; secret?: string },
  ) {
    this.secretId = event.SecretId;
    this.versionId = event.ClientRequestToken;
  }

  async run(): Promise<void> {
    const { Step: step } = this.event;
    if (typeof this.secretId !== 'string' || !this.secretId || typeof this.versionId !== 'string' || !this.versionId) {
      throw new InvalidRotationEvent('the event needs SecretId and ClientRequestToken');
    }
    if (typeof step !== 'string' || !isStep(step)) throw new InvalidRotationEvent(`unknown rotation step ${JSON.stringify(String(step).slice(0, 40))}`);

    // The checks of AWS's rotation templates: rotation enabled, and the version staged for rotation.
    const description = await this.store('DescribeSecret', () => this.deps.secrets.describeSecret(this.secretId));
    this.facts.secret = description.name;
    if (!description.rotationEnabled) throw new InvalidRotationEvent(`rotation is not enabled for secret ${description.name}`);
    const rotator = this.deps.rotatorFor(description);
    this.facts.kind = rotator.kind;
    const ctx: RotationContext = { secretArn: description.arn, secretName: description.name, versionId: this.versionId };
    const stages = description.versionStages[this.versionId];
    if (!stages) throw new InvalidRotationEvent(`version ${this.versionId} of secret ${description.name} has no staging label: it is not being rotated`);
    if (stages.includes(AWSCURRENT)) {
      // The templates stop here for every step; finishSecret goes on, because a retry must still revoke what it replaced.
      if (step === 'finishSecret') return this.retire(ctx, rotator);
      this.deps.log.info(`${step}: version is already AWSCURRENT, nothing to do`, this.where(ctx, step));
      return;
    }
    if (!stages.includes(AWSPENDING)) throw new InvalidRotationEvent(`version ${this.versionId} of secret ${description.name} is not AWSPENDING`);

    switch (step) {
      case 'createSecret':
        return this.createSecret(ctx, rotator);
      case 'setSecret':
        return this.setSecret(ctx, rotator);
      case 'testSecret':
        return this.testSecret(ctx, rotator);
      case 'finishSecret':
        return this.finishSecret(ctx, rotator, description);
    }
  }

  /** Makes the new credential and stores it as AWSPENDING of this version, unless a retry finds it already stored. */
  private async createSecret(ctx: RotationContext, rotator: CredentialRotator): Promise<void> {
    const current = await this.read({ stage: AWSCURRENT });
    if (!current) throw new MalformedSecret(`secret ${ctx.secretName} has no AWSCURRENT value to rotate from`);
    if (isPlaceholder(current.value)) {
      throw new SecretNotProvisioned(
        `secret ${ctx.secretName} still holds the placeholder the stack created it with: put the credential in it (docs/credentials.md), then rotate again. Nothing was changed`,
      );
    }
    if (await this.read({ versionId: this.versionId, stage: AWSPENDING })) {
      this.deps.log.info('createSecret: the pending value exists already, nothing to create', this.where(ctx, 'createSecret'));
      return;
    }
    const created = await rotator.create(ctx, current.value);
    try {
      await this.deps.secrets.putSecretValue(this.secretId, { versionId: this.versionId, value: created.value, stages: [AWSPENDING] });
    } catch (err) {
      if (await this.storedAnyway(ctx, rotator, current.value, created)) return;
      throw this.storeFailure('PutSecretValue', err);
    }
    this.deps.log.info('createSecret: stored the new credential as AWSPENDING', { ...this.where(ctx, 'createSecret'), credentialId: created.credentialId });
  }

  /**
   * After a failed PutSecretValue: true when the write landed all the same (its answer was lost). Otherwise the new
   * credential can never be used, so it is revoked now (finishSecret sweeps it up should this fail too).
   */
  private async storedAnyway(ctx: RotationContext, rotator: CredentialRotator, current: string, created: { value: string; credentialId: string }): Promise<boolean> {
    let stored: SecretValue | undefined;
    try {
      stored = await this.deps.secrets.getSecretValue(this.secretId, { versionId: this.versionId });
    } catch {
      this.deps.log.warn('createSecret: cannot tell whether the pending value was stored; finishSecret will revoke the credential if not', {
        ...this.where(ctx, 'createSecret'),
        credentialId: created.credentialId,
      });
      return false;
    }
    if (stored?.value === created.value) return true;
    try {
      await rotator.discard(ctx, current, created.value);
    } catch (err) {
      this.deps.log.warn('createSecret: could not revoke the unstored credential; finishSecret will', {
        ...this.where(ctx, 'createSecret'),
        credentialId: created.credentialId,
        reason: reasonOf(err),
      });
    }
    return false;
  }

  private async setSecret(ctx: RotationContext, rotator: CredentialRotator): Promise<void> {
    // Nothing to set: the service created the credential in createSecret. Only make sure the pending value is usable.
    rotator.check(ctx, (await this.pending(ctx)).value);
  }

  private async testSecret(ctx: RotationContext, rotator: CredentialRotator): Promise<void> {
    const pending = await this.read({ versionId: this.versionId, stage: AWSPENDING });
    if (!pending) return this.configurationTest(ctx, rotator);
    await rotator.test(ctx, pending.value);
    this.deps.log.info('testSecret: the pending credential works', this.where(ctx, 'testSecret'));
  }

  /**
   * testSecret on an AWSPENDING version that createSecret never filled: Secrets Manager testing the rotation set-up.
   * With RotateImmediately false it "tests the rotation configuration by running the testSecret step", on a version it
   * creates and removes (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html), so
   * this runs when the stack first schedules rotation, while the secret may still hold its placeholder.
   */
  private async configurationTest(ctx: RotationContext, rotator: CredentialRotator): Promise<void> {
    const current = await this.read({ stage: AWSCURRENT });
    if (!current || isPlaceholder(current.value)) {
      // Not a failure: the deploy goes on, no alarm; the audit trail says the credential is still to be put in.
      this.deps.log.info('testSecret: the secret is not provisioned yet; put the credential in it before its first rotation', this.where(ctx, 'testSecret'));
      this.deps.audit.record({
        event: 'secret.not_provisioned',
        outcome: 'success',
        step: 'testSecret',
        secret: ctx.secretName,
        secretId: ctx.secretArn,
        versionId: this.versionId,
        credential: rotator.kind,
        reason: 'placeholder',
      });
      return;
    }
    // The credential the first rotation will start from must work: proved read-only, as a pending one would be.
    await rotator.test(ctx, current.value);
    this.deps.log.info('testSecret: rotation set-up tested; the current credential works', this.where(ctx, 'testSecret'));
  }

  private async finishSecret(ctx: RotationContext, rotator: CredentialRotator, description: SecretDescription): Promise<void> {
    const from = versionWithStage(description, AWSCURRENT);
    await this.store('UpdateSecretVersionStage', () =>
      this.deps.secrets.updateSecretVersionStage(this.secretId, { stage: AWSCURRENT, moveToVersionId: this.versionId, ...(from !== undefined && { removeFromVersionId: from }) }),
    );
    this.deps.log.info('finishSecret: moved AWSCURRENT to the new version', { ...this.where(ctx, 'finishSecret'), previousVersionId: from });
    await this.retire(ctx, rotator);
  }

  /** Revokes what the secret held before, reading AWSCURRENT again so that the credential in use is never the one revoked. */
  private async retire(ctx: RotationContext, rotator: CredentialRotator): Promise<void> {
    const current = await this.read({ versionId: this.versionId, stage: AWSCURRENT });
    if (!current) throw new InvalidRotationEvent(`version ${this.versionId} of secret ${ctx.secretName} is not AWSCURRENT: nothing may be revoked`);
    const previous = await this.read({ stage: AWSPREVIOUS });
    const retired = await rotator.retire(ctx, current.value, previous && previous.versionId !== this.versionId ? previous.value : undefined);
    this.deps.audit.record({
      event: 'secret.rotated',
      outcome: 'success',
      step: 'finishSecret',
      secret: ctx.secretName,
      secretId: ctx.secretArn,
      versionId: this.versionId,
      credential: rotator.kind,
      credentialId: retired.credentialId,
      revoked: retired.revoked,
    });
    this.deps.metrics.rotated(rotator.kind);
  }

  private async pending(ctx: RotationContext): Promise<SecretValue> {
    const pending = await this.read({ versionId: this.versionId, stage: AWSPENDING });
    if (!pending) throw new InvalidRotationEvent(`version ${this.versionId} of secret ${ctx.secretName} has no pending value: createSecret has not stored one`);
    return pending;
  }

  private read(selector: VersionSelector): Promise<SecretValue | undefined> {
    return this.store('GetSecretValue', () => this.deps.secrets.getSecretValue(this.secretId, selector));
  }

  private async store<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.storeFailure(what, err);
    }
  }

  private storeFailure(what: string, err: unknown): Error {
    if (err instanceof RotationError) return err;
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? `: ${err.message.slice(0, 300)}` : '';
    return new SecretStoreFailed(`Secrets Manager ${what} on ${this.secretId} failed: ${name}${message}`, { cause: err });
  }

  private where(ctx: RotationContext, step: RotationStep) {
    return { step, secret: ctx.secretName, versionId: ctx.versionId, credential: this.facts.kind };
  }
}
