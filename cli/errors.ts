// What the audit CLI tells its user when it cannot answer: one named error per cause, each message saying what to do.

/** The command line is wrong (exit 2); the message says how to write it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The CLI could not answer (exit 1): no log group, no local audit log, CloudWatch refused or failed. */
export class AuditCliError extends Error {
  override readonly name = 'AuditCliError';
}

/** What an AWS SDK error means for someone running an audit query; never a stack trace. */
export function describeAwsError(err: unknown, context: { readonly logGroupName: string; readonly region?: string }): string {
  const e = err as { name?: string; message?: string };
  const name = e?.name ?? 'Error';
  const message = e?.message ?? String(err);
  const where = context.region ? ` in ${context.region}` : '';
  switch (name) {
    case 'ResourceNotFoundException':
      return `log group "${context.logGroupName}" was not found${where}: check --log-group and --region (${message})`;
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return `AWS refused the query: your identity needs logs:StartQuery, logs:GetQueryResults and logs:StopQuery on "${context.logGroupName}" (${message})`;
    case 'CredentialsProviderError':
    case 'ExpiredTokenException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return `no usable AWS credentials: set AWS_PROFILE or sign in (aws sso login), then retry (${message})`;
    case 'MalformedQueryException':
      return `CloudWatch Logs rejected the query: ${message}`;
    case 'LimitExceededException':
      return `too many Logs Insights queries are running in this account; retry in a minute (${message})`;
    case 'ServiceUnavailableException':
    case 'ThrottlingException':
      return `CloudWatch Logs is busy; retry in a minute (${message})`;
    default:
      if (/region is missing/i.test(message)) return 'no AWS region: pass --region or set AWS_REGION';
      if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(message)) return `cannot reach CloudWatch Logs${where}: check the network and --region (${message})`;
      return `CloudWatch Logs call failed: ${name}: ${message}`;
  }
}
