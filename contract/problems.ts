// Every RFC 9457 problem type the gateway answers with, from the handlers (lambda/core/errors.ts) and from API Gateway
// and the WAF (lib/gateway-responses.ts, lib/constructs/firewall.ts): its slug, HTTP status and title.

export interface ProblemSpec {
  /** The status it is answered with; several for the backend failures, whose status says how the backend failed. */
  readonly status: number | readonly number[];
  readonly title: string;
  /** When a caller gets it (docs/problems.md). */
  readonly when: string;
  /** What the caller can do about it. */
  readonly todo: string;
}

export const PROBLEMS = {
  'bad-request': {
    status: 400,
    title: 'Bad request',
    when: 'the body is not JSON or not the right shape (an unknown member is named), a query parameter is unknown or malformed, or a header is malformed; `errors[]` points at each bad part',
    todo: 'fix the parts `errors[]` names; GET /openapi.json describes every route',
  },
  unauthenticated: {
    status: 401,
    title: 'Missing or invalid token',
    when: 'no bearer token, or one the gateway does not accept; `detail`, `reason` and `WWW-Authenticate` say which check failed (expired, wrong audience, unknown issuer, bad signature, revoked identity...)',
    todo: 'fix what `detail` names; for an expired token sign in again (`djg login`) or get a fresh one from your identity provider',
  },
  forbidden: {
    status: 403,
    title: 'Not allowed',
    when: "the token is valid but lacks the route's scope, or the caller's groups may not do this (listing another principal's jobs, revocations, deciding on a job: never your own, never as an agent, only in its approver groups)",
    todo: 'ask for the scope or group your platform team grants for it',
  },
  'not-found': { status: 404, title: 'Not found', when: 'no such route', todo: 'check the path against GET /openapi.json' },
  'template-not-found': {
    status: 404,
    title: 'Unknown template',
    when: 'no template has this id, or it exists but your groups may not run it (the two look alike on purpose)',
    todo: 'GET /templates (or `djg templates`) lists the templates you may run',
  },
  'job-not-found': {
    status: 404,
    title: 'Unknown job',
    when: 'no job has this id, or it is not yours to see (the two look alike on purpose)',
    todo: 'GET /jobs (or `djg ls`) lists your jobs',
  },
  'method-not-allowed': { status: 405, title: 'Method not allowed', when: 'the path exists but not with this method', todo: 'use a method the `Allow` header lists' },
  'idempotency-key-reused': {
    status: 409,
    title: 'Idempotency-Key reused with a different request',
    when: 'the Idempotency-Key was already used with another template or other parameters',
    todo: 'use a new key for a new request; resend the original body to get the original job',
  },
  'approval-conflict': {
    status: 409,
    title: 'Approval not possible',
    when: 'the job is no longer awaiting approval (approved, rejected, expired or cancelled), or you have already decided on it',
    todo: 'read the job (GET /jobs/{id}) to see its status and the decisions recorded',
  },
  'job-not-cancellable': {
    status: 409,
    title: 'Job cannot be cancelled',
    when: 'the job has already ended, or has not reached its backend yet',
    todo: 'read the job (GET /jobs/{id}); retry a cancel of a job still being submitted in a few seconds',
  },
  'payload-too-large': { status: 413, title: 'Request body too large', when: 'the body is larger than the gateway accepts (`api.maxBodyBytes`)', todo: 'send a smaller body' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', when: 'the body is sent with a Content-Type other than JSON', todo: 'send `Content-Type: application/json`' },
  'invalid-parameters': {
    status: 422,
    title: 'Parameters do not match the template',
    when: "the parameters fail the template's schema, or render an invalid backend request; `errors[]` has one entry per bad field",
    todo: 'fix the fields `errors[]` names; GET /templates/{id} shows the schema',
  },
  'too-many-requests': {
    status: 429,
    title: 'Too many requests',
    when: "the gateway's rate limit, a usage plan quota, the firewall's rate rule, or the template's maxActivePerPrincipal was reached",
    todo: 'retry after the `Retry-After` seconds (or when one of your active jobs of the template ends)',
  },
  'request-rejected': {
    status: [400, 403, 404, 415],
    title: 'Request rejected',
    when: 'API Gateway refused the request for a reason without a problem type of its own; `detail` names its response type',
    todo: 'quote the request id to the platform team if the detail does not say enough',
  },
  'token-check-unavailable': {
    status: 503,
    title: 'Token could not be checked',
    when: "the gateway could not reach the token issuer's keys or its revocation list, so it could check no token",
    todo: 'retry after the `Retry-After` seconds; your token is not at fault',
  },
  internal: { status: 500, title: 'Internal error', when: 'the gateway itself failed', todo: 'retry; if it persists, quote the request id to the platform team' },
  'backend-failure': {
    status: [502, 503, 504],
    title: 'Backend failure',
    when: 'Dataproc or Databricks failed or timed out (502 a bad answer, 503 unavailable or throttled, 504 timed out); `backendCode` is its error code',
    todo: 'retry with the same Idempotency-Key (never a second job); honour `Retry-After` when present',
  },
  'backend-rejected': {
    status: 502,
    title: 'Backend rejected the job',
    when: 'the backend refused the rendered request itself (e.g. a cluster or job that does not exist); `backendCode` is its error code',
    todo: 'the template or the backend needs fixing: quote the request id to the platform team',
  },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemSlug = keyof typeof PROBLEMS;

/** The problem's `type` member: a URI naming the problem, documented in docs/problems.md. */
export const problemTypeUri = (slug: ProblemSlug): string => `https://data-job-gateway.dev/problems/${slug}`;
