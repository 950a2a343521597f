// The value a secret the stack created holds until an operator puts the credential in. lib/constructs/secrets.ts creates
// each secret without a value, so CloudFormation generates one with GenerateSecretString's defaults: 32 characters,
// printable ASCII without spaces, never JSON. Every credential this gateway stores is a JSON object.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-secretsmanager-secret-generatesecretstring.html

const GENERATED_PASSWORD = /^[\x21-\x7e]{32}$/;

/** True for the value a stack-created secret starts with; a credential (JSON) never looks like it. */
export function isPlaceholder(value: string): boolean {
  if (!GENERATED_PASSWORD.test(value)) return false;
  try {
    JSON.parse(value);
    return false;
  } catch {
    return true;
  }
}
