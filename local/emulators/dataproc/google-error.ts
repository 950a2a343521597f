// Google API errors as Dataproc sends them: `{error: {code, message, status, details?}}` with the HTTP status in `code`.

/** google.rpc.Code names by HTTP status, as Google's REST mapping uses them. */
const STATUS_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** Thrown inside the emulator's handlers; the server turns it into the Google error body. */
export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly status: string = STATUS_BY_HTTP[httpStatus] ?? 'UNKNOWN',
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    return googleErrorBody(this.httpStatus, this.message, this.status, this.violations);
  }
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

export function googleErrorBody(httpStatus: number, message: string, status?: string, violations: readonly FieldViolation[] = []): GoogleErrorBody {
  const error: GoogleErrorBody['error'] = { code: httpStatus, message, status: status ?? STATUS_BY_HTTP[httpStatus] ?? 'UNKNOWN' };
  if (violations.length) {
    error.details = [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations }];
  }
  return { error };
}

/** The body a fault of this HTTP status answers with (429 → RESOURCE_EXHAUSTED, 503 → UNAVAILABLE, ...). */
export function faultErrorBody(httpStatus: number): GoogleErrorBody {
  const message =
    httpStatus === 429
      ? 'Quota exceeded for quota metric \'Requests\' and limit \'Requests per minute\' of service \'dataproc.googleapis.com\'.'
      : httpStatus === 503
        ? 'The service is currently unavailable.'
        : 'Internal error encountered.';
  return googleErrorBody(httpStatus, message);
}

export const invalidArgument = (message: string, violations: readonly FieldViolation[] = []) =>
  new GoogleApiError(400, message, 'INVALID_ARGUMENT', violations);
export const failedPrecondition = (message: string) => new GoogleApiError(400, message, 'FAILED_PRECONDITION');
export const notFound = (message: string) => new GoogleApiError(404, message, 'NOT_FOUND');
export const alreadyExists = (message: string) => new GoogleApiError(409, message, 'ALREADY_EXISTS');

/** IAM's refusal: Google does not say whether the resource exists to a caller without the permission. */
export const permissionDenied = (permission: string, resource: string) =>
  new GoogleApiError(403, `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`, 'PERMISSION_DENIED');
