// The backend credentials held in Secrets Manager, under one rotating customer key, readable only by whom the stack grants.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROTATED_CREDENTIALS, type RotatedCredential } from '../../contract/signals.js';
import { ENV } from '../../contract/settings.js';

export interface GatewaySecretsProps {
  /**
   * The Databricks credential (`pat` or `oauth-m2m`), when Databricks is configured.
   * @default no Databricks secret
   */
  readonly databricks?: { readonly type: 'pat' | 'oauth-m2m'; readonly secretName?: string };
  /**
   * The Google service-account key, in `service-account-key` mode only (Workload Identity Federation needs no secret).
   * @default no Google key secret
   */
  readonly googleServiceAccountKey?: { readonly secretName?: string };
}

/** One backend credential: the secret, the id the functions read it by, and whether the rotation function can rotate it. */
export interface GatewaySecret {
  /** Construct id, e.g. `Databricks`. */
  readonly id: string;
  readonly secret: ISecret;
  /** ARN of a secret this stack created, or the name of an existing one (a name is what Secrets Manager resolves reliably). */
  readonly secretId: string;
  readonly envVar: string;
  /** `expiring`: a Databricks token or OAuth client secret, created with a lifetime; `permanent`: a Google key. */
  readonly rotation: 'expiring' | 'permanent';
  /** What the rotation function calls this credential in its metrics and audit events. */
  readonly credential: RotatedCredential;
}

export class GatewaySecrets extends Construct {
  readonly databricks?: ISecret;
  readonly googleServiceAccountKey?: ISecret;
  /** Every secret, in a fixed order (Databricks, then Google). */
  readonly all: readonly GatewaySecret[];
  private ownKey?: Key;

  constructor(scope: Construct, id: string, props: GatewaySecretsProps) {
    super(scope, id);
    const all: GatewaySecret[] = [];
    if (props.databricks) {
      const { type, secretName } = props.databricks;
      const credential = type === 'pat' ? ROTATED_CREDENTIALS.databricksPat : ROTATED_CREDENTIALS.databricksOAuthSecret;
      const s = this.secret('Databricks', ENV.databricksSecret, secretName, `Databricks ${type} credential of the Data Job Gateway (JSON; see docs/credentials.md)`, 'expiring', credential);
      this.databricks = s.secret;
      all.push(s);
    }
    if (props.googleServiceAccountKey) {
      const s = this.secret('GoogleServiceAccountKey', ENV.googleKeySecret, props.googleServiceAccountKey.secretName, 'Google service-account key JSON of the Data Job Gateway', 'permanent', ROTATED_CREDENTIALS.googleServiceAccountKey);
      this.googleServiceAccountKey = s.secret;
      all.push(s);
    }
    this.all = all;
  }

  /** Encrypts the secrets this stack creates; undefined when it creates none. */
  get key(): Key | undefined {
    return this.ownKey;
  }

  /** The secrets the rotation function can rotate: all of them. */
  get rotatable(): readonly GatewaySecret[] {
    return this.all;
  }

  /** Environment variables naming the secrets, per lambda/runtime/settings.ts `ENV`. */
  get environment(): Record<string, string> {
    return Object.fromEntries(this.all.map((s) => [s.envVar, s.secretId]));
  }

  /** Let `grantee` read every secret (and decrypt them with the stack's key). */
  grantRead(grantee: IGrantable): void {
    for (const s of this.all) s.secret.grantRead(grantee);
  }

  /** Record, for each secret this stack created that gets no rotation schedule, why (cdk-nag AwsSolutions-SMG4). */
  acknowledgeUnrotated(rotated: readonly GatewaySecret[], reasonWhenRotationIsOff: string): void {
    for (const s of this.all) {
      if (!(s.secret instanceof Secret) || rotated.includes(s)) continue;
      Validations.of(s.secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: reasonWhenRotationIsOff });
    }
  }

  private secret(id: string, envVar: string, existingName: string | undefined, description: string, rotation: GatewaySecret['rotation'], credential: RotatedCredential): GatewaySecret {
    if (existingName) return { id, secret: Secret.fromSecretNameV2(this, id, existingName), secretId: existingName, envVar, rotation, credential };
    // Deleting the stack schedules the secret for deletion (30-day recovery window); the key stays so it can be restored.
    // No value: CloudFormation generates a 32-character placeholder, which the rotation function recognises
    // (lambda/rotation/placeholder.ts). Never give it one here: changing GenerateSecretString regenerates the value.
    const secret = new Secret(this, id, { description, encryptionKey: this.ensureKey() });
    return { id, secret, secretId: secret.secretArn, envVar, rotation, credential };
  }

  private ensureKey(): Key {
    this.ownKey ??= new Key(this, 'Key', { description: 'Encrypts the Data Job Gateway backend credentials', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    return this.ownKey;
  }
}
