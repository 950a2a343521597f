// Errors of getting a Google access token. Messages and causes never carry the AWS signature, a session token or a key:
// google-auth-library's errors keep the request they failed on, so they are replaced by a scrubbed summary.

/** The step that failed, in the order the flows run them. */
export type GoogleCredentialStep =
  | 'aws-credentials' // reading the function role's AWS credentials and region
  | 'token-exchange' // STS: the signed AWS request for a federated token
  | 'impersonation' // IAM Credentials generateAccessToken for the service account
  | 'key-secret' // reading or parsing the service-account key secret
  | 'jwt-grant'; // OAuth 2.0 JWT-bearer grant with the key

/** A Google access token could not be obtained for a service account. `code` is safe to show (`invalid_grant`, `PERMISSION_DENIED`...). */
export class GoogleCredentialsError extends Error {
  override readonly name = 'GoogleCredentialsError';
  constructor(
    readonly serviceAccount: string,
    readonly step: GoogleCredentialStep,
    readonly code: string,
    /** True when a later attempt may succeed (network failure, 429, 5xx, a secret that could not be read). */
    readonly retryable: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A template or config names something that is not a service-account email. */
export class InvalidServiceAccount extends Error {
  override readonly name = 'InvalidServiceAccount';
  constructor(readonly serviceAccount: string) {
    super(`not a service-account email: ${JSON.stringify(serviceAccount.slice(0, 100))}`);
  }
}

/** What a Google endpoint answered, without the request that was sent to it. */
export class GoogleEndpointError extends Error {
  override readonly name = 'GoogleEndpointError';
  constructor(
    message: string,
    /** HTTP status, or undefined when no answer came (connection refused, reset, timeout). */
    readonly status: number | undefined,
    readonly code: string,
    /** Origin and path only. */
    readonly endpoint: string | undefined,
  ) {
    super(message);
  }
}

interface HttpFailureShape {
  status?: number;
  code?: string | number;
  config?: { url?: unknown };
  response?: { status?: number; data?: unknown; config?: { url?: unknown } };
}

/** True for errors from google-auth-library's HTTP layer (gaxios), which carry the request in `config`. */
export function isHttpFailure(err: unknown): err is Error & HttpFailureShape {
  return err instanceof Error && ('config' in err || 'response' in err);
}

/** Reduces an HTTP failure to status, Google/OAuth error code and description: nothing of the request survives. */
export function scrubHttpFailure(err: Error & HttpFailureShape): GoogleEndpointError {
  const status = err.response?.status ?? (typeof err.status === 'number' ? err.status : undefined);
  const endpoint = endpointOf(err.config?.url ?? err.response?.config?.url);
  const data = err.response?.data;
  let code = status === undefined ? String(err.code ?? 'NO_RESPONSE') : `HTTP_${status}`;
  let description = '';
  if (isRecord(data)) {
    if (typeof data.error === 'string') {
      code = data.error; // OAuth 2.0 (STS, oauth2): {error, error_description}
      description = typeof data.error_description === 'string' ? data.error_description : '';
    } else if (isRecord(data.error)) {
      code = typeof data.error.status === 'string' ? data.error.status : code; // Google APIs: {error: {code, message, status}}
      description = typeof data.error.message === 'string' ? data.error.message : '';
    }
  }
  const summary = `${status ?? 'no answer'} from ${endpoint ?? 'a Google endpoint'}: ${code}${description ? `: ${description.slice(0, 300)}` : ''}`;
  return new GoogleEndpointError(summary, status, code, endpoint);
}

function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** Turns any failure of a token step into a GoogleCredentialsError; HTTP failures are scrubbed first. */
export function credentialsFailure(serviceAccount: string, step: GoogleCredentialStep, err: unknown, what: string): GoogleCredentialsError {
  if (err instanceof GoogleCredentialsError) return err;
  if (isHttpFailure(err)) {
    const cause = scrubHttpFailure(err);
    return new GoogleCredentialsError(serviceAccount, step, cause.code, isRetryableStatus(cause.status), `${what} for ${serviceAccount} failed at ${step}: ${cause.code}`, {
      cause,
    });
  }
  const name = err instanceof Error ? err.name : 'Error';
  return new GoogleCredentialsError(serviceAccount, step, name, false, `${what} for ${serviceAccount} failed at ${step}: ${name}`, { cause: err });
}

export const endpointOf = (url: unknown): string | undefined => {
  if (url === undefined || url === null) return undefined;
  try {
    const parsed = new URL(String(url));
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
