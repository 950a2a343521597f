// The API's routes: one table read by the CDK API construct, the local gateway and the OpenAPI document.

/** Which Lambda function serves a route. Only `jobs` bundles the backends (and so Google's client). */
export type FunctionName = 'catalog' | 'jobs' | 'admin';

/**
 * What a token must be granted to call a route. Each issuer maps these to its own scope names (config
 * `auth.issuers[].scopes`); `jobs:approve` is reserved for approval routes.
 */
export const ROUTE_SCOPES = ['jobs:read', 'jobs:submit', 'jobs:cancel', 'jobs:approve', 'admin', 'audit'] as const;
export type RouteScope = (typeof ROUTE_SCOPES)[number];

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway resource path, with `{param}` segments. */
  readonly path: string;
  readonly function: FunctionName;
  /** The name of the request body schema in lambda/core/api-schemas.ts, if the route takes a body. */
  readonly body?: 'SubmitJobRequest' | 'RevocationRequest' | 'FingerprintRequest';
  /** The scope a token needs for this route; public routes need none. */
  readonly scope?: RouteScope;
  /** Whether the route needs no token (only the OpenAPI document). */
  readonly public?: boolean;
  readonly summary: string;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/templates', function: 'catalog', scope: 'jobs:read', summary: 'Templates the caller may run' },
  { method: 'GET', path: '/templates/{id}', function: 'catalog', scope: 'jobs:read', summary: 'One template' },
  { method: 'GET', path: '/openapi.json', function: 'catalog', public: true, summary: 'This API as OpenAPI 3.1' },
  { method: 'POST', path: '/jobs', function: 'jobs', scope: 'jobs:submit', body: 'SubmitJobRequest', summary: 'Submit a job from a template' },
  { method: 'GET', path: '/jobs', function: 'jobs', scope: 'jobs:read', summary: "The caller's jobs, newest first" },
  { method: 'GET', path: '/jobs/{id}', function: 'jobs', scope: 'jobs:read', summary: 'One job with its normalized status' },
  { method: 'GET', path: '/jobs/{id}/output', function: 'jobs', scope: 'jobs:read', summary: "The job's driver output from a byte offset" },
  { method: 'POST', path: '/jobs/{id}/cancel', function: 'jobs', scope: 'jobs:cancel', summary: 'Request cancellation' },
  { method: 'GET', path: '/me', function: 'catalog', scope: 'jobs:read', summary: 'The caller as the gateway sees them' },
  { method: 'POST', path: '/admin/revocations', function: 'admin', scope: 'admin', body: 'RevocationRequest', summary: 'Revoke a principal (admins)' },
  { method: 'GET', path: '/admin/revocations', function: 'admin', scope: 'audit', summary: 'List revocations (auditors and admins)' },
  { method: 'DELETE', path: '/admin/revocations/{id}', function: 'admin', scope: 'admin', summary: 'Lift a revocation (admins)' },
  // Served by jobs: the only function that holds the MAC key.
  { method: 'POST', path: '/audit/fingerprints', function: 'jobs', scope: 'audit', body: 'FingerprintRequest', summary: "A personal value's fingerprint, to search the audit trail (auditors)" },
];

/** Match a concrete path against the table: the route and its path parameters, or the methods the path allows. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { route: undefined; allowed: string[] } {
  const segments = path.split('/').filter(Boolean);
  const allowed: string[] = [];
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
  }
  return { route: undefined, allowed };
}
