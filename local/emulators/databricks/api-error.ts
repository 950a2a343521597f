// Databricks REST error answers: every service replies `{error_code, message}` with a conventional HTTP status.

export class DatabricksApiError extends Error {
  override readonly name = 'DatabricksApiError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  body(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const invalidParameter = (message: string) => new DatabricksApiError(400, 'INVALID_PARAMETER_VALUE', message);
export const malformedRequest = (message: string) => new DatabricksApiError(400, 'MALFORMED_REQUEST', message);
export const resourceDoesNotExist = (message: string) => new DatabricksApiError(404, 'RESOURCE_DOES_NOT_EXIST', message);
export const endpointNotFound = (method: string, path: string) =>
  new DatabricksApiError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${path}'`);
export const unauthenticated = (message = 'Invalid access token.') => new DatabricksApiError(401, 'UNAUTHENTICATED', message);

/** What the fault injector answers with, in Databricks' words for each status. */
export function faultBody(status: number): { error_code: string; message: string } {
  switch (status) {
    case 429:
      return { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many requests. Please wait a moment and try again.' };
    case 503:
      return { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'The service is temporarily unavailable. Please try again later.' };
    default:
      return { error_code: 'INTERNAL_ERROR', message: 'An internal error occurred. Please try again later.' };
  }
}
