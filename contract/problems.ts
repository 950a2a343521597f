// Every RFC 9457 problem type the gateway answers with, from the handlers (lambda/core/errors.ts) and from API Gateway
// and the WAF (lib/gateway-responses.ts, lib/constructs/firewall.ts): its slug, HTTP status and title.

export interface ProblemSpec {
  /** The status it is answered with; several for the backend failures, whose status says how the backend failed. */
  readonly status: number | readonly number[];
  readonly title: string;
}

export const PROBLEMS = {
  'bad-request': { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Missing or invalid token' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'template-not-found': { status: 404, title: 'Unknown template' },
  'job-not-found': { status: 404, title: 'Unknown job' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'idempotency-key-reused': { status: 409, title: 'Idempotency-Key reused with a different request' },
  'job-not-cancellable': { status: 409, title: 'Job cannot be cancelled' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'invalid-parameters': { status: 422, title: 'Parameters do not match the template' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  /** API Gateway refused the request for a reason without a gateway response of its own (DEFAULT_4XX). */
  'request-rejected': { status: [400, 403, 404, 415], title: 'Request rejected' },
  internal: { status: 500, title: 'Internal error' },
  'backend-failure': { status: [502, 503, 504], title: 'Backend failure' },
  'backend-rejected': { status: 502, title: 'Backend rejected the job' },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemSlug = keyof typeof PROBLEMS;

/** The problem's `type` member: a URI naming the problem, documented in docs/problems.md. */
export const problemTypeUri = (slug: ProblemSlug): string => `https://data-job-gateway.dev/problems/${slug}`;
