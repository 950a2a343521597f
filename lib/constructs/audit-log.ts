// The one log group every gateway function writes to: audit events, application logs and Lambda platform lines, encrypted and masked.
import { RemovalPolicy, Stack, ArnFormat } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { CustomDataIdentifier, DataIdentifier, DataProtectionPolicy, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CLOUDWATCH_MASKING } from '../../contract/credentials.js';
import { retentionDays } from './log-retention.js';

/** The credentials of contract/credentials.ts that CloudWatch masks with custom data identifiers: name → regex. */
export const CREDENTIAL_PATTERNS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(CLOUDWATCH_MASKING).flatMap((m) => ('custom' in m ? [[m.custom, m.regex]] : [])),
);

/** The CloudWatch managed identifiers that mask the rest (private keys, AWS secret keys). */
export const MANAGED_CREDENTIAL_IDENTIFIERS: readonly DataIdentifier[] = [
  ...new Set(Object.values(CLOUDWATCH_MASKING).flatMap((m) => ('managed' in m ? m.managed : []))),
].map((name) => new DataIdentifier(name));

export interface AuditLogProps {
  /**
   * Days CloudWatch keeps the audit log; one of the periods CloudWatch Logs offers.
   * @default 365 (config `observability.auditRetentionDays`)
   */
  readonly retentionDays: number;
  /**
   * An existing KMS key for the log groups. Its key policy must let `logs.<region>.amazonaws.com` use it.
   * @default a new customer-managed key with yearly rotation
   */
  readonly kmsKeyArn?: string;
}

/** The audit log group (also the Lambda functions' log group) and the KMS key that encrypts the gateway's log groups. */
export class AuditLog extends Construct {
  readonly logGroup: LogGroup;
  /** Encrypts every gateway log group: this one, the API access log and the API execution log. */
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: AuditLogProps) {
    super(scope, id);
    this.key = props.kmsKeyArn ? Key.fromKeyArn(this, 'Key', props.kmsKeyArn) : this.createKey();
    this.logGroup = new LogGroup(this, 'Resource', {
      retention: retentionDays(props.retentionDays, '/observability/auditRetentionDays'),
      encryptionKey: this.key,
      // Audit evidence outlives the stack: `cdk destroy` leaves it for its retention period.
      removalPolicy: RemovalPolicy.RETAIN,
      dataProtectionPolicy: new DataProtectionPolicy({
        name: 'mask-credentials',
        description: 'Masks credentials that might slip into a log line: Databricks tokens, bearer tokens, JWTs, Google access tokens, private keys, AWS secret keys',
        identifiers: [
          ...MANAGED_CREDENTIAL_IDENTIFIERS,
          ...Object.entries(CREDENTIAL_PATTERNS).map(([name, regex]) => new CustomDataIdentifier(name, regex)),
        ],
      }),
    });
  }

  private createKey(): Key {
    const stack = Stack.of(this);
    const key = new Key(this, 'Key', {
      description: 'Encrypts the Data Job Gateway audit, access and execution log groups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key on the log groups' behalf, only for log groups in this account and region.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return key;
  }
}
