// SecretVersions over @aws-sdk/client-secrets-manager; the client is created once by the Lambda entry file.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretDescription, SecretValue, SecretVersions, VersionSelector } from '../rotation/secret-versions.js';

export class SecretsManagerVersions implements SecretVersions {
  constructor(private readonly client: SecretsManagerClient) {}

  async describeSecret(secretId: string): Promise<SecretDescription> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return {
      arn: out.ARN ?? secretId,
      name: out.Name ?? secretId,
      rotationEnabled: out.RotationEnabled === true,
      versionStages: out.VersionIdsToStages ?? {},
    };
  }

  async getSecretValue(secretId: string, selector: VersionSelector): Promise<SecretValue | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: selector.versionId, VersionStage: selector.stage }));
      // A binary secret has no SecretString: ours are always JSON text, so treat it as absent.
      if (out.SecretString === undefined || out.VersionId === undefined) return undefined;
      return { versionId: out.VersionId, value: out.SecretString };
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  async putSecretValue(secretId: string, version: { versionId: string; value: string; stages: readonly string[] }): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: version.versionId, SecretString: version.value, VersionStages: [...version.stages] }),
    );
  }

  async updateSecretVersionStage(secretId: string, move: { stage: string; moveToVersionId: string; removeFromVersionId?: string }): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: move.stage,
        MoveToVersionId: move.moveToVersionId,
        RemoveFromVersionId: move.removeFromVersionId,
      }),
    );
  }
}
