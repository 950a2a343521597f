// The slice of Secrets Manager the rotation protocol needs: versions, their staging labels, and their values.

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  /** Version id → its staging labels, for every version that has at least one label (DescribeSecret `VersionIdsToStages`). */
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
}

/** Which version to read: by id, by staging label, or both (then both must name the same version). */
export interface VersionSelector {
  readonly versionId?: string;
  readonly stage?: string;
}

export interface SecretValue {
  readonly versionId: string;
  readonly value: string;
}

export interface SecretVersions {
  describeSecret(secretId: string): Promise<SecretDescription>;
  /** The version's string value, or undefined when no such version exists or it has no value yet (ResourceNotFoundException). */
  getSecretValue(secretId: string, selector: VersionSelector): Promise<SecretValue | undefined>;
  /** Creates version `versionId` (or fills the empty one RotateSecret made) with the given labels; the same value again is a no-op. */
  putSecretValue(secretId: string, version: { readonly versionId: string; readonly value: string; readonly stages: readonly string[] }): Promise<void>;
  /** Moves `stage` to `moveToVersionId`, taking it from `removeFromVersionId` (required when another version holds it). */
  updateSecretVersionStage(
    secretId: string,
    move: { readonly stage: string; readonly moveToVersionId: string; readonly removeFromVersionId?: string },
  ): Promise<void>;
}

/** The version currently holding `stage`, if any. */
export function versionWithStage(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.versionStages).find(([, stages]) => stages.includes(stage))?.[0];
}
