// What djg tells its user when it cannot do what was asked: one named error per cause, each with the exit code that
// names the outcome for scripts, each message saying what to do. Never a stack trace.

/** djg's exit codes; docs/analysts.md lists them for scripts. */
export const EXIT = {
  /** Done; with --wait, the job SUCCEEDED. */
  ok: 0,
  /** The job ended FAILED, CANCELLED, REJECTED or EXPIRED. */
  jobDidNotSucceed: 1,
  /** The command line (or the request it made) is wrong. */
  usage: 2,
  /** Not authenticated, or not allowed. */
  auth: 3,
  /** The job, template or route does not exist (or is not visible to the caller). */
  notFound: 4,
  /** The gateway or a backend failed, or could not be reached. */
  gateway: 5,
  /** --timeout passed while waiting; the job goes on (like timeout(1)). */
  waitTimedOut: 124,
  /** Ctrl-C while waiting; the job goes on unless --cancel-on-interrupt. */
  interrupted: 130,
} as const;

/** A failure with its exit code; `message` is for people. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The command line is wrong (exit 2); the message says how to write it. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.usage, options);
  }
}

/** Not signed in, the sign-in expired, or the credentials were refused (exit 3). */
export class AuthError extends CliError {
  override readonly name = 'AuthError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.auth, options);
  }
}

/** The audit CLI could not answer: no log group, no local audit log, CloudWatch refused or failed. */
export class AuditCliError extends CliError {
  override readonly name = 'AuditCliError';
  constructor(message: string, options?: ErrorOptions & { exitCode?: number }) {
    super(message, options?.exitCode ?? EXIT.gateway, options);
  }
}

/** What an AWS SDK error means for someone running an audit query, and its exit code; never a stack trace. */
export function describeAwsError(err: unknown, context: { readonly logGroupName: string; readonly region?: string }): string {
  return classifyAwsError(err, context).message;
}

export function classifyAwsError(err: unknown, context: { readonly logGroupName: string; readonly region?: string }): { message: string; exitCode: number } {
  const e = err as { name?: string; message?: string };
  const name = e?.name ?? 'Error';
  const message = e?.message ?? String(err);
  const where = context.region ? ` in ${context.region}` : '';
  switch (name) {
    case 'ResourceNotFoundException':
      return { exitCode: EXIT.notFound, message: `log group "${context.logGroupName}" was not found${where}: check --log-group and --region (${message})` };
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return { exitCode: EXIT.auth, message: `AWS refused the query: your identity needs logs:StartQuery, logs:GetQueryResults and logs:StopQuery on "${context.logGroupName}" (${message})` };
    case 'CredentialsProviderError':
    case 'ExpiredTokenException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return { exitCode: EXIT.auth, message: `no usable AWS credentials: set AWS_PROFILE or sign in (aws sso login), then retry (${message})` };
    case 'MalformedQueryException':
      return { exitCode: EXIT.gateway, message: `CloudWatch Logs rejected the query: ${message}` };
    case 'LimitExceededException':
      return { exitCode: EXIT.gateway, message: `too many Logs Insights queries are running in this account; retry in a minute (${message})` };
    case 'ServiceUnavailableException':
    case 'ThrottlingException':
      return { exitCode: EXIT.gateway, message: `CloudWatch Logs is busy; retry in a minute (${message})` };
    default:
      if (/region is missing/i.test(message)) return { exitCode: EXIT.usage, message: 'no AWS region: pass --region or set AWS_REGION' };
      if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(message)) return { exitCode: EXIT.gateway, message: `cannot reach CloudWatch Logs${where}: check the network and --region (${message})` };
      return { exitCode: EXIT.gateway, message: `CloudWatch Logs call failed: ${name}: ${message}` };
  }
}
