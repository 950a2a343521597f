// The deployment's MAC key: a random secret Secrets Manager generates at deploy time, that only the jobs function and the
// reconciler may read (lambda/core/keyed-hash.ts; the reconciler sends approved jobs a crash left unsent). Request hashes, principal labels and personal fingerprints are keyed with it, so a
// copy of the ledger, a Dataproc label or the audit trail confirms no guess without it.
import { Stack, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, Grant, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface MacKeyProps {
  /** The roles that may read the key: the jobs function's, and the reconciler's when there is one. */
  readonly readers: readonly IRole[];
}

export class MacKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: MacKeyProps) {
    super(scope, id);
    if (props.readers.length === 0) throw new Error('the MAC key needs at least one reader: the jobs function');
    this.secret = new Secret(this, 'Resource', {
      description: `${Stack.of(this).stackName}: MAC key of the Data Job Gateway (request hashes, principal labels, personal fingerprints); read by the jobs function and the reconciler only`,
      // 64 characters of [A-Za-z0-9]: about 380 bits
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    // GetSecretValue only: no DescribeSecret, which the code never calls.
    for (const reader of props.readers) Grant.addToPrincipal({ grantee: reader, actions: ['secretsmanager:GetSecretValue'], resourceArns: [this.secret.secretArn] });
    // And nobody else, whatever their IAM policies say: an explicit deny in the secret's own policy.
    this.secret.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['*'],
        // A negated operator with several values denies a principal that matches none of them
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.readers.map((r) => r.roleArn) } },
      }),
    );
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the MAC key would change every MAC: Idempotency-Key replays and auditors\' fingerprint searches across the rotation would stop matching (docs/credentials.md).',
    });
  }
}
