// The backend credentials held in Secrets Manager, under one rotating customer key, readable only by whom the stack grants.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { RotationSchedule, Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/runtime/settings.js';

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

/** One backend credential: the secret and the id the functions read it by. */
interface GatewaySecret {
  readonly id: string;
  readonly secret: ISecret;
  /** ARN of a secret this stack created, or the name of an existing one (a name is what Secrets Manager resolves reliably). */
  readonly secretId: string;
  readonly envVar: string;
}

export class GatewaySecrets extends Construct {
  readonly databricks?: ISecret;
  readonly googleServiceAccountKey?: ISecret;
  private readonly all: GatewaySecret[] = [];
  private ownKey?: Key;

  constructor(scope: Construct, id: string, props: GatewaySecretsProps) {
    super(scope, id);
    if (props.databricks) {
      this.databricks = this.secret('Databricks', ENV.databricksSecret, props.databricks.secretName, `Databricks ${props.databricks.type} credential of the Data Job Gateway (JSON; see docs/deploy.md)`);
    }
    if (props.googleServiceAccountKey) {
      this.googleServiceAccountKey = this.secret('GoogleServiceAccountKey', ENV.googleKeySecret, props.googleServiceAccountKey.secretName, 'Google service-account key JSON of the Data Job Gateway');
    }
  }

  /** Encrypts the secrets this stack creates; undefined when it creates none. */
  get key(): Key | undefined {
    return this.ownKey;
  }

  /** Environment variables naming the secrets, per lambda/runtime/settings.ts `ENV`. */
  get environment(): Record<string, string> {
    return Object.fromEntries(this.all.map((s) => [s.envVar, s.secretId]));
  }

  /** Let `grantee` read every secret (and decrypt them with the stack's key). */
  grantRead(grantee: IGrantable): void {
    for (const s of this.all) s.secret.grantRead(grantee);
  }

  /**
   * Rotate every secret with `rotationFunction` every `interval`. The first rotation waits for the schedule, so the
   * secret can be filled in by hand after the first deploy. Returns the schedules (for alarms on rotation failures).
   */
  addRotation(rotationFunction: IFunction, interval: Duration): RotationSchedule[] {
    return this.all.map(
      (s) =>
        new RotationSchedule(this, `${s.id}Rotation`, {
          secret: s.secret,
          rotationLambda: rotationFunction,
          automaticallyAfter: interval,
          rotateImmediatelyOnUpdate: false,
        }),
    );
  }

  private secret(id: string, envVar: string, existingName: string | undefined, description: string): ISecret {
    if (existingName) {
      const secret = Secret.fromSecretNameV2(this, id, existingName);
      this.all.push({ id, secret, secretId: existingName, envVar });
      return secret;
    }
    // Deleting the stack schedules the secret for deletion (30-day recovery window); the key stays so it can be restored.
    const secret = new Secret(this, id, { description, encryptionKey: this.ensureKey() });
    this.all.push({ id, secret, secretId: secret.secretArn, envVar });
    return secret;
  }

  private ensureKey(): Key {
    this.ownKey ??= new Key(this, 'Key', { description: 'Encrypts the Data Job Gateway backend credentials', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    return this.ownKey;
  }
}
