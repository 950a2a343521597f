// API Gateway gateway responses as RFC 9457 problem+json. The CDK API construct installs these; the local gateway renders them the same way.

export interface GatewayResponseSpec {
  /** API Gateway's ResponseType. */
  readonly type: 'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_FAILURE' | 'AUTHORIZER_CONFIGURATION_ERROR' | 'THROTTLED' | 'QUOTA_EXCEEDED' | 'REQUEST_TOO_LARGE' | 'BAD_REQUEST_BODY' | 'BAD_REQUEST_PARAMETERS' | 'MISSING_AUTHENTICATION_TOKEN' | 'RESOURCE_NOT_FOUND' | 'WAF_FILTERED' | 'DEFAULT_4XX' | 'DEFAULT_5XX';
  readonly statusCode: number;
  /** Header values in API Gateway's syntax: a quoted literal. */
  readonly headers: Record<string, string>;
  /** The `application/json` response template; `$context.*` variables are filled by API Gateway (or the local gateway). */
  readonly template: string;
}

// `status` is left out where API Gateway offers no variable for the real code (RFC 9457 makes it advisory).
const problem = (slug: string, title: string, status: number | undefined, detail: string) =>
  `{"type":"https://data-job-gateway.dev/problems/${slug}","title":"${title}",${status === undefined ? '' : `"status":${status},`}"detail":${detail},"requestId":"$context.requestId"}`;

const CONTENT_TYPE = { 'Content-Type': "'application/problem+json'" };

export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    type: 'UNAUTHORIZED',
    statusCode: 401,
    headers: { ...CONTENT_TYPE, 'WWW-Authenticate': '\'Bearer error="invalid_token"\'' },
    template: problem('unauthenticated', 'Missing or invalid token', 401, '"A valid bearer token is required."'),
  },
  {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    headers: CONTENT_TYPE,
    template: problem('not-found', 'Not found', 404, '"No such route."'),
  },
  {
    type: 'ACCESS_DENIED',
    statusCode: 403,
    headers: { ...CONTENT_TYPE, 'WWW-Authenticate': '\'Bearer error="insufficient_scope"\'' },
    template: problem('forbidden', 'Not allowed', 403, '"The token is valid but does not allow this request."'),
  },
  {
    type: 'AUTHORIZER_FAILURE',
    statusCode: 500,
    headers: CONTENT_TYPE,
    template: problem('internal', 'Internal error', 500, '"The authorizer failed; quote the request id to the platform team."'),
  },
  {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    statusCode: 500,
    headers: CONTENT_TYPE,
    template: problem('internal', 'Internal error', 500, '"The authorizer failed; quote the request id to the platform team."'),
  },
  {
    type: 'THROTTLED',
    statusCode: 429,
    headers: { ...CONTENT_TYPE, 'Retry-After': "'1'" },
    template: problem('too-many-requests', 'Too many requests', 429, '"Request rate limit exceeded; retry later."'),
  },
  {
    type: 'QUOTA_EXCEEDED',
    statusCode: 429,
    headers: { ...CONTENT_TYPE, 'Retry-After': "'3600'" },
    template: problem('too-many-requests', 'Too many requests', 429, '"Usage plan quota exceeded."'),
  },
  {
    type: 'REQUEST_TOO_LARGE',
    statusCode: 413,
    headers: CONTENT_TYPE,
    template: problem('payload-too-large', 'Request body too large', 413, '"The request body is too large."'),
  },
  {
    type: 'BAD_REQUEST_BODY',
    statusCode: 400,
    headers: CONTENT_TYPE,
    template: problem('bad-request', 'Bad request', 400, '"$util.escapeJavaScript($context.error.validationErrorString)"'),
  },
  {
    type: 'BAD_REQUEST_PARAMETERS',
    statusCode: 400,
    headers: CONTENT_TYPE,
    template: problem('bad-request', 'Bad request', 400, '"$util.escapeJavaScript($context.error.validationErrorString)"'),
  },
  {
    type: 'WAF_FILTERED',
    statusCode: 403,
    headers: CONTENT_TYPE,
    template: problem('forbidden', 'Not allowed', 403, '"The request was blocked by the web application firewall."'),
  },
  {
    type: 'DEFAULT_4XX',
    statusCode: 400,
    headers: CONTENT_TYPE,
    template: problem('bad-request', 'Request rejected', undefined, '"$util.escapeJavaScript($context.error.messageString)"'),
  },
  {
    type: 'DEFAULT_5XX',
    statusCode: 500,
    headers: CONTENT_TYPE,
    template: problem('internal', 'Internal error', 500, '"The gateway failed; quote the request id to the platform team."'),
  },
];

/** Render a gateway response as API Gateway would, for the local gateway. */
export function renderGatewayResponse(
  type: GatewayResponseSpec['type'],
  context: { requestId: string; messageString?: string; validationErrorString?: string },
): { statusCode: number; headers: Record<string, string>; body: string } {
  const spec = GATEWAY_RESPONSES.find((r) => r.type === type) ?? GATEWAY_RESPONSES.find((r) => r.type === 'DEFAULT_5XX')!;
  const escape = (s: string) => JSON.stringify(s).slice(1, -1);
  const body = spec.template
    .replace(/\$util\.escapeJavaScript\(\$context\.error\.validationErrorString\)/g, escape(context.validationErrorString ?? ''))
    .replace(/\$util\.escapeJavaScript\(\$context\.error\.messageString\)/g, escape(context.messageString ?? ''))
    .replace(/\$context\.requestId/g, escape(context.requestId));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers)) headers[k] = v.replace(/^'|'$/g, '');
  return { statusCode: spec.statusCode, headers, body };
}
