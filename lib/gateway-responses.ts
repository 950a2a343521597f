// API Gateway gateway responses as RFC 9457 problem+json. lib/constructs/api.ts installs them; local/gateway-response.ts
// renders them as API Gateway does, so local mode answers with the same bodies.

import { PROBLEMS, problemTypeUri, type ProblemSlug } from '../contract/problems.js';

/**
 * Every gateway response type and the status API Gateway gives it when no gateway response sets one; DEFAULT_4XX and
 * DEFAULT_5XX have none, they only lend their template to the types without their own entry.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export const RESPONSE_TYPE_STATUS = {
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
} as const satisfies Record<string, number | undefined>;

export type GatewayResponseType = keyof typeof RESPONSE_TYPE_STATUS;

export interface GatewayResponseSpec {
  readonly type: GatewayResponseType;
  /**
   * The status to answer with.
   * @default the status API Gateway gives the response type (required to stay unset on DEFAULT_4XX/DEFAULT_5XX: a status
   * there replaces the status of every type they stand in for)
   */
  readonly statusCode?: number;
  /** Header values in API Gateway's mapping syntax: a quoted literal. */
  readonly headers: Record<string, string>;
  /** The `application/json` body template. */
  readonly template: string;
}

/**
 * A problem+json body template. API Gateway fills it by plain substitution, no VTL (`$util...` stays literal), so the
 * only variables are `$context.requestId` and `$context.error.responseType`, whose values API Gateway generates in a
 * fixed alphabet; caller- or error-shaped text (`$context.error.validationErrorString`, message text, headers) could
 * break the JSON and is never embedded. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
 */
const problem = (slug: ProblemSlug, status: number | undefined, detail: string) =>
  JSON.stringify({ type: problemTypeUri(slug), title: PROBLEMS[slug].title, status, detail, requestId: '$context.requestId' });

const CONTENT_TYPE = { 'Content-Type': "'application/problem+json'" };

export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    // Only a request without an Authorization header (or with an empty one) gets here: API Gateway answers it without
    // calling the authorizer, whose refusals the API function answers with the reason instead (docs/identity.md).
    // https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer
    // RFC 6750 section 3.1: no error code when the request carries no credentials.
    type: 'UNAUTHORIZED',
    statusCode: 401,
    headers: { ...CONTENT_TYPE, 'WWW-Authenticate': "'Bearer'" },
    template: problem('unauthenticated', 401, 'No bearer token: send Authorization: Bearer <token>.'),
  },
  {
    // API Gateway's answer for a path or method the API does not have: 404 rather than its default 403.
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    headers: CONTENT_TYPE,
    template: problem('not-found', 404, 'No such route; GET /openapi.json lists the routes.'),
  },
  {
    type: 'ACCESS_DENIED',
    statusCode: 403,
    headers: { ...CONTENT_TYPE, 'WWW-Authenticate': '\'Bearer error="insufficient_scope"\'' },
    template: problem('forbidden', 403, 'The token is valid but does not allow this request.'),
  },
  {
    type: 'INVALID_API_KEY',
    statusCode: 403,
    headers: CONTENT_TYPE,
    template: problem('forbidden', 403, 'This API needs a valid API key in the x-api-key header as well as a token.'),
  },
  {
    // The authorizer throws when it cannot check any token (issuer keys or revocation list unreachable): an outage,
    // not a bad token, so the caller is told to retry rather than to sign in again.
    type: 'AUTHORIZER_FAILURE',
    statusCode: 503,
    headers: { ...CONTENT_TYPE, 'Retry-After': "'5'" },
    template: problem('token-check-unavailable', 503, 'The gateway could not check the token just now; retry shortly, and quote the request id if it persists.'),
  },
  {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    statusCode: 500,
    headers: CONTENT_TYPE,
    template: problem('internal', 500, 'The authorizer failed; quote the request id to the platform team.'),
  },
  {
    type: 'THROTTLED',
    statusCode: 429,
    headers: { ...CONTENT_TYPE, 'Retry-After': "'1'" },
    template: problem('too-many-requests', 429, 'Request rate limit exceeded; retry later.'),
  },
  {
    type: 'QUOTA_EXCEEDED',
    statusCode: 429,
    headers: { ...CONTENT_TYPE, 'Retry-After': "'3600'" },
    template: problem('too-many-requests', 429, 'Usage plan quota exceeded.'),
  },
  {
    type: 'REQUEST_TOO_LARGE',
    statusCode: 413,
    headers: CONTENT_TYPE,
    template: problem('payload-too-large', 413, 'The request body is too large.'),
  },
  {
    type: 'WAF_FILTERED',
    statusCode: 403,
    headers: CONTENT_TYPE,
    template: problem('forbidden', 403, 'The request was blocked by the web application firewall.'),
  },
  // The defaults set no status, so each type they stand in for keeps its own (415, 504, ...); `status` is left out of
  // the body because no variable carries it (RFC 9457 makes it advisory).
  {
    type: 'DEFAULT_4XX',
    headers: CONTENT_TYPE,
    template: problem('request-rejected', undefined, 'API Gateway refused the request ($context.error.responseType); quote the request id to the platform team.'),
  },
  {
    type: 'DEFAULT_5XX',
    headers: CONTENT_TYPE,
    template: problem('internal', undefined, 'The gateway failed ($context.error.responseType); quote the request id to the platform team.'),
  },
];
