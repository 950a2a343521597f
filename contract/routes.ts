// The API's routes: the one table API Gateway's resources (lib/constructs/api.ts), the authorizer's policies, the
// functions' dispatch (lambda/http/api-handler.ts), the local gateway, the OpenAPI document (contract/openapi.ts) and
// djg (cli/api-routes.ts) are all built from.

import type { API_SCHEMAS, REQUEST_BODY_SCHEMAS } from './api-schemas.js';
import { JOB_STATUSES } from './job-status.js';
import type { ProblemSlug } from './problems.js';

/** Which Lambda function serves a route. Only `jobs` and `admin` call the backends (and so bundle Google's client). */
export type ApiFunction = 'catalog' | 'jobs' | 'admin';

/**
 * What a token must be granted to call a route. Each issuer maps these to its own scope names (config
 * `auth.issuers[].scopes`); `jobs:approve` is reserved for approval routes.
 */
export const ROUTE_SCOPES = ['jobs:read', 'jobs:submit', 'jobs:cancel', 'jobs:approve', 'admin', 'audit'] as const;
export type RouteScope = (typeof ROUTE_SCOPES)[number];

/** A query parameter or header a route reads; any other query parameter is refused (400). */
export interface InputSpec {
  readonly type: 'string' | 'integer' | 'boolean';
  readonly description: string;
  /** The only values a string may take. */
  readonly enum?: readonly string[];
  /** `date-time`: an RFC 3339 time with its offset (`2026-12-01T00:00:00Z`); handlers get it as UTC ISO text. */
  readonly format?: 'date-time';
  readonly minimum?: number;
  readonly maximum?: number;
  /** Longest value accepted. @default 2048 for strings, 16 for numbers */
  readonly maxLength?: number;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway resource path, with `{param}` segments. */
  readonly path: string;
  readonly function: ApiFunction;
  /** The scope a token needs for this route; public routes need none. */
  readonly scope?: RouteScope;
  /** Whether the route needs no token (only the OpenAPI document). */
  readonly public?: boolean;
  /** The name of the request body schema in contract/api-schemas.ts, if the route takes a body. */
  readonly body?: keyof typeof REQUEST_BODY_SCHEMAS;
  readonly query?: Readonly<Record<string, InputSpec>>;
  readonly headers?: Readonly<Record<string, InputSpec>>;
  /** The success answer: its status and the name of its body schema in contract/api-schemas.ts (none for 204). */
  readonly response: { readonly status: 200 | 201 | 202 | 204; readonly schema?: keyof typeof API_SCHEMAS; readonly description: string };
  /** Another success answer the route can give (a dry run's 200). */
  readonly alternate?: { readonly status: 200 | 201; readonly schema: keyof typeof API_SCHEMAS; readonly description: string };
  /**
   * The problems this route's own logic can answer, beyond those every route can (bad-request, method-not-allowed,
   * too-many-requests, internal; with a token: unauthenticated, forbidden, token-check-unavailable; with a body:
   * payload-too-large, unsupported-media-type). contract/openapi.ts lists them all.
   */
  readonly problems?: readonly ProblemSlug[];
  readonly summary: string;
}

const TABLE = [
  {
    method: 'GET',
    path: '/templates',
    function: 'catalog',
    scope: 'jobs:read',
    response: { status: 200, schema: 'TemplateList', description: 'Templates you may run' },
    summary: 'Templates the caller may run',
  },
  {
    method: 'GET',
    path: '/templates/{id}',
    function: 'catalog',
    scope: 'jobs:read',
    response: { status: 200, schema: 'Template', description: 'The template' },
    problems: ['template-not-found'],
    summary: 'One template',
  },
  {
    method: 'GET',
    path: '/openapi.json',
    function: 'catalog',
    public: true,
    response: { status: 200, description: 'This document' },
    summary: 'This API as OpenAPI 3.1',
  },
  {
    method: 'POST',
    path: '/jobs',
    function: 'jobs',
    scope: 'jobs:submit',
    body: 'SubmitJobRequest',
    query: { dryRun: { type: 'boolean', description: 'return the exact backend request (200 with a DryRun) without submitting' } },
    headers: { 'Idempotency-Key': { type: 'string', description: '1 to 255 visible ASCII characters; a retry with the same key maps to the same job' } },
    response: { status: 202, schema: 'Job', description: 'The job (200 with a DryRun for ?dryRun=true)' },
    alternate: { status: 200, schema: 'DryRun', description: 'With ?dryRun=true: the exact backend request, not submitted' },
    problems: ['template-not-found', 'idempotency-key-reused', 'invalid-parameters', 'backend-failure', 'backend-rejected'],
    summary: 'Submit a job from a template',
  },
  {
    method: 'GET',
    path: '/jobs',
    function: 'jobs',
    scope: 'jobs:read',
    query: {
      limit: { type: 'integer', minimum: 1, maximum: 100, description: 'jobs per page (default 20)' },
      cursor: { type: 'string', description: 'nextCursor of the previous page' },
      principal: { type: 'string', maxLength: 1100, description: 'auditors and admins: another principal, as issuer#subject' },
      status: { type: 'string', enum: JOB_STATUSES, description: 'only jobs in this status' },
      template: { type: 'string', maxLength: 256, description: 'only jobs of this template' },
      since: { type: 'string', format: 'date-time', maxLength: 64, description: 'only jobs created at or after this time, RFC 3339 (e.g. 2026-12-01T00:00:00Z)' },
    },
    response: { status: 200, schema: 'JobList', description: 'Jobs, newest first' },
    summary: "The caller's jobs, newest first",
  },
  {
    method: 'GET',
    path: '/jobs/{id}',
    function: 'jobs',
    scope: 'jobs:read',
    response: { status: 200, schema: 'Job', description: 'The job' },
    problems: ['job-not-found', 'backend-failure'],
    summary: 'One job with its normalized status',
  },
  {
    method: 'GET',
    path: '/jobs/{id}/output',
    function: 'jobs',
    scope: 'jobs:read',
    query: { offset: { type: 'integer', minimum: 0, description: 'byte offset to read from (default 0): the nextOffset of the previous read' } },
    response: { status: 200, schema: 'JobOutput', description: "The job's driver output from `offset`" },
    problems: ['job-not-found', 'backend-failure'],
    summary: "The job's driver output from a byte offset",
  },
  {
    method: 'POST',
    path: '/jobs/{id}/cancel',
    function: 'jobs',
    scope: 'jobs:cancel',
    response: { status: 202, schema: 'Job', description: 'Cancellation requested' },
    problems: ['job-not-found', 'job-not-cancellable', 'backend-failure'],
    summary: 'Request cancellation',
  },
  {
    method: 'GET',
    path: '/approvals',
    function: 'jobs',
    scope: 'jobs:approve',
    query: {
      limit: { type: 'integer', minimum: 1, maximum: 100, description: 'jobs per page (default 20)' },
      cursor: { type: 'string', description: 'nextCursor of the previous page' },
    },
    response: { status: 200, schema: 'JobList', description: 'Jobs awaiting your decision, newest first (a page may hold fewer than `limit`)' },
    summary: 'Jobs awaiting a decision the caller may take',
  },
  {
    method: 'POST',
    path: '/jobs/{id}/approve',
    function: 'jobs',
    scope: 'jobs:approve',
    body: 'DecisionRequest',
    response: { status: 200, schema: 'Job', description: 'The job with your approval (sent to its backend when it completes the count)' },
    summary: 'Approve a job awaiting approval',
  },
  {
    method: 'POST',
    path: '/jobs/{id}/reject',
    function: 'jobs',
    scope: 'jobs:approve',
    body: 'DecisionRequest',
    response: { status: 200, schema: 'Job', description: 'The job, REJECTED' },
    summary: 'Reject a job awaiting approval (comment required)',
  },
  {
    method: 'GET',
    path: '/me',
    function: 'catalog',
    scope: 'jobs:read',
    response: { status: 200, schema: 'Caller', description: 'You, as the gateway sees you' },
    summary: 'The caller as the gateway sees them',
  },
  {
    method: 'POST',
    path: '/admin/revocations',
    function: 'admin',
    scope: 'admin',
    body: 'RevocationRequest',
    response: { status: 201, schema: 'Revocation', description: 'The revocation (200 when it existed already)' },
    summary: 'Revoke a principal (admins)',
  },
  {
    method: 'GET',
    path: '/admin/revocations',
    function: 'admin',
    scope: 'audit',
    response: { status: 200, schema: 'RevocationList', description: 'Revocations' },
    summary: 'List revocations (auditors and admins)',
  },
  {
    method: 'DELETE',
    path: '/admin/revocations/{id}',
    function: 'admin',
    scope: 'admin',
    response: { status: 204, description: 'Lifted' },
    problems: ['not-found'],
    summary: 'Lift a revocation (admins)',
  },
  {
    // Served by jobs: the only function that holds the MAC key.
    method: 'POST',
    path: '/audit/fingerprints',
    function: 'jobs',
    scope: 'audit',
    body: 'FingerprintRequest',
    response: { status: 200, schema: 'Fingerprint', description: 'The fingerprint the ledger and the audit trail record for the value' },
    summary: "A personal value's fingerprint, to search the audit trail (auditors)",
  },
] as const satisfies readonly Route[];

export const ROUTES: readonly Route[] = TABLE;

type TableRoute = (typeof TABLE)[number];
/** A route's key, `METHOD /path`, as API Gateway names a method and the handlers are keyed. */
export type RouteKey<R extends Pick<Route, 'method' | 'path'> = TableRoute> = R extends unknown ? `${R['method']} ${R['path']}` : never;
/** The routes a function serves, as the table declares them. */
export type RoutesOf<F extends ApiFunction> = Extract<TableRoute, { function: F }>;

export const routeKey = (r: Pick<Route, 'method' | 'path'>): string => `${r.method} ${r.path}`;

/** The methods a resource path has, for a 405's Allow header. */
export const allowedMethods = (path: string): readonly string[] => ROUTES.filter((r) => r.path === path).map((r) => r.method);

/**
 * Each resource path and the function that serves it. API Gateway answers a method a resource does not define with 403
 * MISSING_AUTHENTICATION_TOKEN, so each resource also has an ANY method (no authorizer) sent to this function, which
 * answers 405 with Allow from the table (lib/constructs/api.ts, local/gateway.ts).
 */
export const RESOURCES: readonly { readonly path: string; readonly function: ApiFunction }[] = [...new Map(ROUTES.map((r) => [r.path, r.function])).entries()].map(
  ([path, fn]) => ({ path, function: fn }),
);

/** Match a concrete path against the table: the route and its path parameters, or the methods the path allows. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { route: undefined; allowed: string[]; resource?: string; pathParameters: Record<string, string> } {
  const segments = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  let resource: { path: string; pathParameters: Record<string, string> } | undefined;
  for (const route of ROUTES) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const s = segments[i] ?? '';
      if (p.startsWith('{') && p.endsWith('}')) {
        try {
          params[p.slice(1, -1)] = decodeURIComponent(s);
        } catch {
          return false;
        }
        return s.length > 0;
      }
      return p === s;
    });
    if (!ok) continue;
    if (route.method === method) return { route, pathParameters: params };
    allowed.push(route.method);
    resource ??= { path: route.path, pathParameters: params };
  }
  return { route: undefined, allowed, resource: resource?.path, pathParameters: resource?.pathParameters ?? {} };
}
