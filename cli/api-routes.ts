// The one place djg knows the API's routes: each call names a route of the route table (contract/routes.ts) by its method
// and path, so a route the gateway does not serve fails here, in the tests, rather than at a user's terminal.
import { ROUTES } from '../contract/routes.js';

export type RouteKey =
  | 'GET /templates'
  | 'GET /templates/{id}'
  | 'POST /jobs'
  | 'GET /jobs'
  | 'GET /jobs/{id}'
  | 'GET /jobs/{id}/output'
  | 'POST /jobs/{id}/cancel'
  | 'GET /approvals'
  | 'POST /jobs/{id}/approve'
  | 'POST /jobs/{id}/reject'
  | 'GET /me';

export interface RouteCall {
  readonly method: 'GET' | 'POST';
  /** The concrete path, parameters filled in and encoded. */
  readonly path: string;
  readonly key: RouteKey;
}

/** `route('GET /jobs/{id}', {id})`: the call for a route of the table. */
export function route(key: RouteKey, params: Readonly<Record<string, string>> = {}): RouteCall {
  const [method, template] = key.split(' ') as ['GET' | 'POST', string];
  if (!ROUTES.some((r) => r.method === method && r.path === template)) throw new Error(`djg calls ${key}, which contract/routes.ts does not have`);
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${key} needs ${name}`);
    return encodeURIComponent(value);
  });
  return { method, path, key };
}

/** Every route djg calls, for the test that checks them against the table. */
export const ROUTES_DJG_CALLS: readonly RouteKey[] = ['GET /templates', 'GET /templates/{id}', 'POST /jobs', 'GET /jobs', 'GET /jobs/{id}', 'GET /jobs/{id}/output', 'POST /jobs/{id}/cancel', 'GET /approvals', 'POST /jobs/{id}/approve', 'POST /jobs/{id}/reject', 'GET /me'];
