// A stateful in-memory model of one Secrets Manager secret's versions and staging labels, as the API reference
// documents them, implementing the rotation function's SecretVersions; plus what the service itself does around
// a rotation (RotateSecret, invoking the four steps).
import { randomUUID } from 'node:crypto';
import {
  InvalidParameterException,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS, type RotationHandler, type RotationStep } from '../../lambda/rotation/rotation.js';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  type SecretDescription,
  type SecretValue,
  type SecretVersions,
  type VersionSelector,
} from '../../lambda/rotation/secret-versions.js';

interface Version {
  /** Undefined for the empty version RotateSecret creates before createSecret fills it. */
  value?: string;
  readonly stages: Set<string>;
}

const meta = { $metadata: {} };

export class SecretsManagerModel implements SecretVersions {
  readonly arn: string;
  rotationEnabled = true;
  private readonly versions = new Map<string, Version>();

  constructor(
    readonly name: string,
    initialValue: string,
  ) {
    this.arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
    this.versions.set(randomUUID(), { value: initialValue, stages: new Set([AWSCURRENT]) });
  }

  // ---- the SecretVersions API ----

  async describeSecret(secretId: string): Promise<SecretDescription> {
    this.check(secretId);
    const versionStages: Record<string, string[]> = {};
    // Versions without labels are deprecated: DescribeSecret lists only labelled ones.
    for (const [id, v] of this.versions) if (v.stages.size) versionStages[id] = [...v.stages];
    return { arn: this.arn, name: this.name, rotationEnabled: this.rotationEnabled, versionStages };
  }

  async getSecretValue(secretId: string, selector: VersionSelector): Promise<SecretValue | undefined> {
    this.check(secretId);
    const stage = selector.versionId === undefined ? (selector.stage ?? AWSCURRENT) : selector.stage;
    const id = selector.versionId ?? (stage === undefined ? undefined : this.holderOf(stage));
    const version = id === undefined ? undefined : this.versions.get(id);
    // Both given: they must name the same version, else ResourceNotFoundException (the SDK wrapper's undefined).
    if (!version || version.value === undefined || (stage !== undefined && !version.stages.has(stage))) return undefined;
    return { versionId: id!, value: version.value };
  }

  async putSecretValue(secretId: string, put: { versionId: string; value: string; stages: readonly string[] }): Promise<void> {
    this.check(secretId);
    const existing = this.versions.get(put.versionId);
    if (existing?.value !== undefined) {
      // The same token and value again is ignored; a different value can never replace a version's.
      if (existing.value === put.value) return;
      throw new ResourceExistsException({ ...meta, message: `A resource with the ID you requested already exists: version ${put.versionId}` });
    }
    const version = existing ?? { stages: new Set<string>() };
    version.value = put.value;
    this.versions.set(put.versionId, version);
    for (const stage of put.stages.length ? put.stages : [AWSCURRENT]) this.attach(stage, put.versionId);
  }

  async updateSecretVersionStage(secretId: string, move: { stage: string; moveToVersionId: string; removeFromVersionId?: string }): Promise<void> {
    this.check(secretId);
    if (!this.versions.has(move.moveToVersionId)) throw new ResourceNotFoundException({ ...meta, message: `version ${move.moveToVersionId} not found` });
    const holder = this.holderOf(move.stage);
    if (move.removeFromVersionId !== undefined && move.removeFromVersionId !== holder) {
      throw new InvalidParameterException({ ...meta, message: `The staging label ${move.stage} is not attached to version ${move.removeFromVersionId}` });
    }
    if (holder !== undefined && holder !== move.moveToVersionId && move.removeFromVersionId === undefined) {
      throw new InvalidParameterException({ ...meta, message: `The staging label ${move.stage} is attached to version ${holder}: specify RemoveFromVersionId` });
    }
    this.attach(move.stage, move.moveToVersionId);
  }

  // ---- what the service does ----

  /**
   * RotateSecret: a new empty version labelled AWSPENDING, or, while a previous rotation is incomplete (AWSPENDING on
   * a version that is not AWSCURRENT), that same version again: "that rotation will be reattempted".
   */
  startRotation(): string {
    if (!this.rotationEnabled) throw new InvalidRequestException({ ...meta, message: 'rotation is not enabled' });
    const pending = this.holderOf(AWSPENDING);
    if (pending !== undefined && !this.versions.get(pending)!.stages.has(AWSCURRENT)) return pending;
    const id = randomUUID();
    this.versions.set(id, { stages: new Set() });
    this.attach(AWSPENDING, id);
    return id;
  }

  /** Invokes the steps in order, as Secrets Manager does, stopping at the first failure. */
  async rotate(handler: RotationHandler, onStep: (step: RotationStep) => void = () => {}): Promise<{ versionId: string; failedStep?: RotationStep; error?: unknown }> {
    const versionId = this.startRotation();
    for (const step of ROTATION_STEPS) {
      onStep(step);
      try {
        await handler({ Step: step, SecretId: this.arn, ClientRequestToken: versionId });
      } catch (error) {
        return { versionId, failedStep: step, error };
      }
    }
    return { versionId };
  }

  /**
   * RotateSecret with RotateImmediately false, which a RotationSchedule with RotateImmediatelyOnUpdate false sends:
   * "Secrets Manager tests the rotation configuration by running the testSecret step of the Lambda rotation function.
   * The test creates an AWSPENDING version of the secret and then removes it."
   * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html). The version has no value:
   * createSecret never ran. What happens to it after a failed test is not documented; the model removes it either way.
   */
  async testRotationConfiguration(handler: RotationHandler): Promise<{ versionId: string; error?: unknown }> {
    if (!this.rotationEnabled) throw new InvalidRequestException({ ...meta, message: 'rotation is not enabled' });
    const pending = this.holderOf(AWSPENDING);
    if (pending !== undefined && !this.versions.get(pending)!.stages.has(AWSCURRENT)) {
      throw new InvalidRequestException({ ...meta, message: "A previous rotation isn't complete. That rotation will be reattempted." });
    }
    const versionId = randomUUID();
    this.versions.set(versionId, { stages: new Set() });
    this.attach(AWSPENDING, versionId);
    try {
      await handler({ Step: 'testSecret', SecretId: this.arn, ClientRequestToken: versionId });
      return { versionId };
    } catch (error) {
      return { versionId, error };
    } finally {
      this.versions.delete(versionId);
    }
  }

  /** UpdateSecretVersionStage with only RemoveFromVersionId: how an operator abandons a stuck rotation. */
  removeStage(stage: string, versionId: string): void {
    if (!this.versions.get(versionId)?.stages.delete(stage)) {
      throw new InvalidParameterException({ ...meta, message: `The staging label ${stage} is not attached to version ${versionId}` });
    }
  }

  // ---- for assertions ----

  /** The value labelled `stage`, read directly (no faults). */
  valueAt(stage: string): string | undefined {
    const id = this.holderOf(stage);
    return id === undefined ? undefined : this.versions.get(id)?.value;
  }

  versionAt(stage: string): string | undefined {
    return this.holderOf(stage);
  }

  stagesOf(versionId: string): string[] {
    return [...(this.versions.get(versionId)?.stages ?? [])];
  }

  /** Rotation may end with AWSPENDING on the AWSCURRENT version or on none (RotateSecret's contract). */
  rotationComplete(): boolean {
    const pending = this.holderOf(AWSPENDING);
    return pending === undefined || pending === this.holderOf(AWSCURRENT);
  }

  get versionCount(): number {
    return this.versions.size;
  }

  private attach(stage: string, versionId: string): void {
    const holder = this.holderOf(stage);
    if (holder === versionId) return;
    if (holder !== undefined) this.versions.get(holder)!.stages.delete(stage);
    this.versions.get(versionId)!.stages.add(stage);
    // Moving AWSCURRENT leaves AWSPREVIOUS on the version it came from.
    if (stage === AWSCURRENT && holder !== undefined) this.attach(AWSPREVIOUS, holder);
  }

  private holderOf(stage: string): string | undefined {
    for (const [id, v] of this.versions) if (v.stages.has(stage)) return id;
    return undefined;
  }

  private check(secretId: string): void {
    if (secretId !== this.arn && secretId !== this.name) {
      throw new ResourceNotFoundException({ ...meta, message: "Secrets Manager can't find the specified secret." });
    }
  }
}
