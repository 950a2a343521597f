// Named errors thrown by the core and the backends; lambda/http maps them to RFC 9457 problem+json.
import { PROBLEMS, problemTypeUri, type ProblemSlug } from '../../contract/problems.js';
import type { FieldError } from '../../contract/validation.js';
import { REFUSAL_DESCRIPTIONS, WITHOUT_CREDENTIALS, type RefusedTokenReason } from '../../contract/denials.js';


/** Base class: each subclass names its problem type (contract/problems.ts), which fixes its status and title. */
export abstract class GatewayError extends Error {
  abstract readonly problem: ProblemSlug;
  get status(): number {
    const status = PROBLEMS[this.problem].status;
    return typeof status === 'number' ? status : status[0]!;
  }
  get type(): string {
    return problemTypeUri(this.problem);
  }
  get title(): string {
    return PROBLEMS[this.problem].title;
  }
  /** Extra members for the problem body (all safe to show to the caller). */
  readonly extensions: Record<string, unknown> = {};
  /** Response headers the edge must add, e.g. Retry-After. */
  readonly headers: Record<string, string> = {};
}

export class Unauthenticated extends GatewayError {
  override readonly name = 'Unauthenticated';
  readonly problem = 'unauthenticated' as const;
}

/**
 * 401 for a token the authorizer refused (or a revoked principal): says which check failed, in `detail`, `reason` and
 * RFC 6750's `WWW-Authenticate` (no error code when the request had no bearer credentials at all, section 3.1).
 */
export class TokenRefused extends GatewayError {
  override readonly name = 'TokenRefused';
  readonly problem = 'unauthenticated' as const;
  constructor(readonly reason: RefusedTokenReason) {
    const description = REFUSAL_DESCRIPTIONS[reason];
    super(description);
    this.extensions.reason = reason;
    this.headers['WWW-Authenticate'] = WITHOUT_CREDENTIALS.has(reason) ? 'Bearer' : `Bearer error="invalid_token", error_description="${description}"`;
  }
}

export class Forbidden extends GatewayError {
  override readonly name = 'Forbidden';
  readonly problem = 'forbidden' as const;
}

/** A template that does not exist or that the caller may not run: the two are indistinguishable on purpose. */
export class TemplateNotFound extends GatewayError {
  override readonly name = 'TemplateNotFound';
  readonly problem = 'template-not-found' as const;
}

/** A job that does not exist or that the caller may not see: the two are indistinguishable on purpose. */
export class JobNotFound extends GatewayError {
  override readonly name = 'JobNotFound';
  readonly problem = 'job-not-found' as const;
}

export class RouteNotFound extends GatewayError {
  override readonly name = 'RouteNotFound';
  readonly problem = 'not-found' as const;
}

export class MethodNotAllowed extends GatewayError {
  override readonly name = 'MethodNotAllowed';
  readonly problem = 'method-not-allowed' as const;
  constructor(allow: readonly string[], message?: string) {
    super(message ?? `use ${allow.join(', ')}`);
    this.headers.Allow = allow.join(', ');
  }
}

export class IdempotencyConflict extends GatewayError {
  override readonly name = 'IdempotencyConflict';
  readonly problem = 'idempotency-key-reused' as const;
}

/** A decision on a job that no longer awaits one, or a second decision by the same approver. */
export class ApprovalConflict extends GatewayError {
  override readonly name = 'ApprovalConflict';
  readonly problem = 'approval-conflict' as const;
}

export class JobNotCancellable extends GatewayError {
  override readonly name = 'JobNotCancellable';
  readonly problem = 'job-not-cancellable' as const;
}

export class PayloadTooLarge extends GatewayError {
  override readonly name = 'PayloadTooLarge';
  readonly problem = 'payload-too-large' as const;
}

export class UnsupportedMediaType extends GatewayError {
  override readonly name = 'UnsupportedMediaType';
  readonly problem = 'unsupported-media-type' as const;
}

/**
 * 400: the body is not JSON or not the right shape (before template parameters are looked at), or a query parameter or
 * header is wrong. Always at least one `errors[]` entry: a JSON Pointer into the body (`` for the body as a whole),
 * `query:<name>` or `header:<Name>` (docs/problems.md).
 */
export class BadRequest extends GatewayError {
  override readonly name = 'BadRequest';
  readonly problem = 'bad-request' as const;
  constructor(
    message: string,
    readonly errors: readonly [FieldError, ...FieldError[]],
  ) {
    super(message);
    this.extensions.errors = errors;
  }
}

/** 422: the parameters fail the template's JSON Schema; one entry per bad field. */
export class ParameterValidationFailed extends GatewayError {
  override readonly name = 'ParameterValidationFailed';
  readonly problem = 'invalid-parameters' as const;
  constructor(readonly errors: readonly FieldError[]) {
    super(`${errors.length} parameter error${errors.length === 1 ? '' : 's'}`);
    this.extensions.errors = errors;
  }
}

export class TooManyRequests extends GatewayError {
  override readonly name = 'TooManyRequests';
  readonly problem = 'too-many-requests' as const;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

/** The backend failed. `status` is 502 (bad answer), 503 (unavailable/throttled) or 504 (timed out). */
export class BackendFailure extends GatewayError {
  override readonly name = 'BackendFailure';
  readonly problem = 'backend-failure' as const;
  constructor(
    readonly backend: string,
    private readonly failureStatus: 502 | 503 | 504,
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

  override get status(): 502 | 503 | 504 {
    return this.failureStatus;
  }
}

/** The backend rejected the rendered request itself (4xx from the backend, other than auth/throttling). */
export class BackendRejected extends GatewayError {
  override readonly name = 'BackendRejected';
  readonly problem = 'backend-rejected' as const;
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

interface Problem {
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
      type: problemTypeUri('internal'),
      title: PROBLEMS.internal.title,
      status: 500,
      detail: `The gateway failed to handle this request; quote request id ${requestId} to the platform team.`,
      requestId,
    },
  };
}
