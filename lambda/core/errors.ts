// Named errors thrown by the core and the backends; the edge maps them to RFC 9457 problem+json.

export interface FieldError {
  /** JSON Pointer into the request body, e.g. `/parameters/date`. */
  readonly pointer: string;
  readonly detail: string;
}

/** Base class: each subclass fixes the HTTP status and the problem type. */
export abstract class GatewayError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  /** Extra members for the problem body (all safe to show to the caller). */
  readonly extensions: Record<string, unknown> = {};
  /** Response headers the edge must add, e.g. Retry-After. */
  readonly headers: Record<string, string> = {};
}

const problemType = (slug: string) => `https://data-job-gateway.dev/problems/${slug}`;

export class Unauthenticated extends GatewayError {
  override readonly name = 'Unauthenticated';
  readonly status = 401;
  readonly type = problemType('unauthenticated');
  readonly title = 'Missing or invalid token';
}

export class Forbidden extends GatewayError {
  override readonly name = 'Forbidden';
  readonly status = 403;
  readonly type = problemType('forbidden');
  readonly title = 'Not allowed';
}

/** A template that does not exist or that the caller may not run: the two are indistinguishable on purpose. */
export class TemplateNotFound extends GatewayError {
  override readonly name = 'TemplateNotFound';
  readonly status = 404;
  readonly type = problemType('template-not-found');
  readonly title = 'Unknown template';
}

/** A job that does not exist or that the caller may not see: the two are indistinguishable on purpose. */
export class JobNotFound extends GatewayError {
  override readonly name = 'JobNotFound';
  readonly status = 404;
  readonly type = problemType('job-not-found');
  readonly title = 'Unknown job';
}

export class RouteNotFound extends GatewayError {
  override readonly name = 'RouteNotFound';
  readonly status = 404;
  readonly type = problemType('not-found');
  readonly title = 'Not found';
}

export class MethodNotAllowed extends GatewayError {
  override readonly name = 'MethodNotAllowed';
  readonly status = 405;
  readonly type = problemType('method-not-allowed');
  readonly title = 'Method not allowed';
  constructor(allow: readonly string[], message?: string) {
    super(message ?? `use ${allow.join(', ')}`);
    this.headers.Allow = allow.join(', ');
  }
}

export class IdempotencyConflict extends GatewayError {
  override readonly name = 'IdempotencyConflict';
  readonly status = 409;
  readonly type = problemType('idempotency-key-reused');
  readonly title = 'Idempotency-Key reused with a different request';
}

export class JobNotCancellable extends GatewayError {
  override readonly name = 'JobNotCancellable';
  readonly status = 409;
  readonly type = problemType('job-not-cancellable');
  readonly title = 'Job cannot be cancelled';
}

export class PayloadTooLarge extends GatewayError {
  override readonly name = 'PayloadTooLarge';
  readonly status = 413;
  readonly type = problemType('payload-too-large');
  readonly title = 'Request body too large';
}

export class UnsupportedMediaType extends GatewayError {
  override readonly name = 'UnsupportedMediaType';
  readonly status = 415;
  readonly type = problemType('unsupported-media-type');
  readonly title = 'Unsupported media type';
}

/** 400: the body is not JSON or not the right shape (before template parameters are looked at). */
export class BadRequest extends GatewayError {
  override readonly name = 'BadRequest';
  readonly status = 400;
  readonly type = problemType('bad-request');
  readonly title = 'Bad request';
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
    if (errors.length) this.extensions.errors = errors;
  }
}

/** 422: the parameters fail the template's JSON Schema; one entry per bad field. */
export class ParameterValidationFailed extends GatewayError {
  override readonly name = 'ParameterValidationFailed';
  readonly status = 422;
  readonly type = problemType('invalid-parameters');
  readonly title = 'Parameters do not match the template';
  constructor(readonly errors: readonly FieldError[]) {
    super(`${errors.length} parameter error${errors.length === 1 ? '' : 's'}`);
    this.extensions.errors = errors;
  }
}

export class TooManyRequests extends GatewayError {
  override readonly name = 'TooManyRequests';
  readonly status = 429;
  readonly type = problemType('too-many-requests');
  readonly title = 'Too many requests';
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

/** The backend failed. `status` is 502 (bad answer), 503 (unavailable/throttled) or 504 (timed out). */
export class BackendFailure extends GatewayError {
  override readonly name = 'BackendFailure';
  readonly type = problemType('backend-failure');
  readonly title = 'Backend failure';
  constructor(
    readonly backend: string,
    readonly status: 502 | 503 | 504,
    /** The backend's own error code, e.g. `RESOURCE_EXHAUSTED` or `INVALID_PARAMETER_VALUE`: safe to show. */
    readonly backendCode: string,
    message: string,
    options?: ErrorOptions & { retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.extensions.backend = backend;
    this.extensions.backendCode = backendCode;
    if (options?.retryAfterSeconds !== undefined) this.headers['Retry-After'] = String(Math.max(1, Math.ceil(options.retryAfterSeconds)));
  }
}

/** The backend rejected the rendered request itself (4xx from the backend, other than auth/throttling). */
export class BackendRejected extends GatewayError {
  override readonly name = 'BackendRejected';
  readonly status = 502;
  readonly type = problemType('backend-rejected');
  readonly title = 'Backend rejected the job';
  constructor(
    readonly backend: string,
    readonly backendCode: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.extensions.backend = backend;
    this.extensions.backendCode = backendCode;
  }
}

/** A template or rendered request that breaks the rules: a deploy-time bug, never the caller's fault. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
  }
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly requestId: string;
  readonly [extension: string]: unknown;
}

export interface ProblemResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly problem: Problem;
}

/**
 * What a caller reads about a 5xx: the backend and its error code, never our message, which can name secret ARNs, the
 * Databricks host or service-account emails. The message stays in the function's log and the audit trail.
 */
function serverSideDetail(err: GatewayError, requestId: string): string {
  const { backend, backendCode } = err.extensions as { backend?: unknown; backendCode?: unknown };
  const what = typeof backend === 'string' ? `the ${backend} backend failed${typeof backendCode === 'string' ? ` (${backendCode})` : ''}` : 'the gateway failed';
  return `${what}; quote request id ${requestId} to the platform team, who can read the details in the audit log`;
}

/** Map any thrown value to a problem. Unknown errors become a bare 500 with no detail from the error itself. */
export function toProblem(err: unknown, requestId: string): ProblemResponse {
  if (err instanceof GatewayError) {
    return {
      status: err.status,
      headers: { ...err.headers },
      problem: { ...err.extensions, type: err.type, title: err.title, status: err.status, detail: err.status >= 500 ? serverSideDetail(err, requestId) : err.message, requestId },
    };
  }
  return {
    status: 500,
    headers: {},
    problem: {
      type: problemType('internal'),
      title: 'Internal error',
      status: 500,
      detail: `The gateway failed to handle this request; quote request id ${requestId} to the platform team.`,
      requestId,
    },
  };
}
