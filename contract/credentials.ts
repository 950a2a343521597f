// The credentials that must never appear in an answer or a log line, in one table: how the code recognises each
// (runtime redaction in lambda/adapters/databricks/http.ts, the test suite's log guard test/setup/no-secrets-in-logs.ts)
// and how the audit log's data protection policy masks it in CloudWatch (lib/constructs/audit-log.ts).

export type CredentialKind =
  | 'jwt'
  | 'databricks-token'
  | 'databricks-oauth-secret'
  | 'bearer-header'
  | 'basic-header'
  | 'private-key'
  | 'google-access-token'
  | 'aws-secret-key'
  | 'known-secret';

export interface CredentialFinding {
  readonly kind: CredentialKind;
  /** Offset of the match in the scanned text. */
  readonly index: number;
  readonly length: number;
}

/** JavaScript forms of the shapes; wider than CloudWatch's custom identifiers where a test can afford it. */
const CREDENTIAL_SHAPES: Readonly<Record<Exclude<CredentialKind, 'known-secret'>, RegExp>> = {
  jwt: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g,
  'databricks-token': /\bdapi[0-9a-f]{32}(?:-\d+)?\b/g,
  'databricks-oauth-secret': /\bdose[0-9a-f]{32}\b/g,
  'bearer-header': /\bbearer\s+[A-Za-z0-9_.+/=~-]{16,}/gi,
  'basic-header': /\bbasic\s+[A-Za-z0-9+/]{16,}={0,2}/gi,
  'private-key': /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g,
  'google-access-token': /\bya29\.[A-Za-z0-9_-]{16,}/g,
  // 40 base64 characters after a secret-key label: a bare 40-character run would match every SHA-1 digest
  'aws-secret-key': /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
};

/**
 * How CloudWatch Logs masks each shape in the audit log: a custom data identifier (CloudWatch allows only
 * `[a-zA-Z0-9_#=@/;, -]` and `^$?[]{}|\*+.` in its regex, no groups, at most 200 characters), or the managed identifiers
 * that already cover it. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL-custom-data-identifiers.html
 */
export const CLOUDWATCH_MASKING: Readonly<Record<Exclude<CredentialKind, 'known-secret'>, { readonly custom: string; readonly regex: string } | { readonly managed: readonly string[] }>> = {
  jwt: { custom: 'JsonWebToken', regex: 'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]+' },
  'databricks-token': { custom: 'DatabricksToken', regex: 'dapi[0-9a-f]{32}' },
  'databricks-oauth-secret': { custom: 'DatabricksOAuthSecret', regex: 'dose[0-9a-f]{32}' },
  'bearer-header': { custom: 'BearerToken', regex: '[Bb]earer [A-Za-z0-9_.+/=-]{16,}' },
  'basic-header': { custom: 'BasicAuthHeader', regex: '[Bb]asic [A-Za-z0-9+/=]{16,}' },
  'private-key': { managed: ['PkcsPrivateKey', 'OpenSshPrivateKey', 'PgpPrivateKey', 'PuttyPrivateKey'] },
  'google-access-token': { custom: 'GoogleAccessToken', regex: 'ya29\\.[A-Za-z0-9_-]{16,}' },
  'aws-secret-key': { managed: ['AwsSecretKey'] },
};

/** Every credential shape in `text`, plus any of `knownSecrets` (exact values a test environment holds) that appear in it. */
export function findCredentials(text: string, knownSecrets: readonly string[] = []): CredentialFinding[] {
  const found: CredentialFinding[] = [];
  for (const [kind, shape] of Object.entries(CREDENTIAL_SHAPES) as [CredentialKind, RegExp][]) {
    for (const m of text.matchAll(shape)) found.push({ kind, index: m.index, length: m[0].length });
  }
  for (const secret of knownSecrets) {
    for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) found.push({ kind: 'known-secret', index: i, length: secret.length });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** `text` with every finding replaced by `[REDACTED:<kind>]`, safe to print in a test failure. */
export function redactCredentials(text: string, knownSecrets: readonly string[] = []): string {
  let out = '';
  let at = 0;
  for (const f of findCredentials(text, knownSecrets)) {
    if (f.index < at) continue; // overlapping shapes: the first one already hid it
    out += `${text.slice(at, f.index)}[REDACTED:${f.kind}]`;
    at = f.index + f.length;
  }
  return out + text.slice(at);
}
