// The API's routes: one table read by the CDK API construct, the local gateway and the OpenAPI document.

/** Which Lambda function serves a route. Only `jobs` bundles the backends (and so Google's client). */
export type FunctionName = 'catalog' | 'jobs' | 'admin';

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway resource path, with `{param}` segments. */
  readonly path: string;
  readonly function: FunctionName;
  /** The name of the request body schema in lambda/core/api-schemas.ts, if the route takes a body. */
  readonly body?: 'SubmitJobRequest' | 'RevocationRequest';
  /** Whether the route needs no token (only the OpenAPI document). */
  readonly public?: boolean;
  readonly summary: string;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/templates', function: 'catalog', summary: 'Templates the caller may run' },
  { method: 'GET', path: '/templates/{id}', function: 'catalog', summary: 'One template' },
  { method: 'GET', path: '/openapi.json', function: 'catalog', public: true, summary: 'This API as OpenAPI 3.1' },
  { method: 'POST', path: '/jobs', function: 'jobs', body: 'SubmitJobRequest', summary: 'Submit a job from a template' },
  { method: 'GET', path: '/jobs', function: 'jobs', summary: "The caller's jobs, newest first" },
  { method: 'GET', path: '/jobs/{id}', function: 'jobs', summary: 'One job with its normalized status' },
  { method: 'GET', path: '/jobs/{id}/output', function: 'jobs', summary: "The job's driver output from a byte offset" },
  { method: 'POST', path: '/jobs/{id}/cancel', function: 'jobs', summary: 'Request cancellation' },
  { method: 'GET', path: '/me', function: 'catalog', summary: 'The caller as the gateway sees them' },
  { method: 'POST', path: '/admin/revocations', function: 'admin', body: 'RevocationRequest', summary: 'Revoke a principal (admins)' },
  { method: 'GET', path: '/admin/revocations', function: 'admin', summary: 'List revocations (admins)' },
  { method: 'DELETE', path: '/admin/revocations/{id}', function: 'admin', summary: 'Lift a revocation (admins)' },
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
