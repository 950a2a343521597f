// Read access to a secret's value and nothing else: Secret.grantRead also grants DescribeSecret, which no function calls.
import { Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { ViaServicePrincipal } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/** GetSecretValue on `secret`, and Decrypt on its key through Secrets Manager only (as Secret.grantRead does). */
export function grantSecretValue(secret: ISecret, grantee: IGrantable): void {
  // A secret named rather than created has a partial ARN: match any of Secrets Manager's six-character suffixes.
  const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
  Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [arn] });
  secret.encryptionKey?.grantDecrypt(new ViaServicePrincipal(`secretsmanager.${Stack.of(secret).region}.amazonaws.com`, grantee.grantPrincipal));
}
