// One API Gateway proxy handler for every API function, driven by the route table (contract/routes.ts): it finds the
// route, answers 404/405 for what the function does not serve, reads and validates the inputs the route declares,
// identifies the caller and re-checks revocation, calls the route's handler, and turns every error into problem+json.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ValidateFunction } from 'ajv';
import { REQUEST_BODY_SCHEMAS } from '../../contract/api-schemas.js';
import { allowedMethods, ROUTES, routeKey, type ApiFunction, type InputSpec, type Route, type RouteKey, type RoutesOf } from '../../contract/routes.js';
import { createAjv, fieldErrors, type FieldError } from '../../contract/validation.js';
import type { AuditTrail } from '../core/audit.js';
import { BadRequest, MethodNotAllowed, RouteNotFound } from '../core/errors.js';
import type { RequestFacts } from '../core/jobs.js';
import type { Principal } from '../core/principal.js';
import type { RevocationCheck } from '../core/revocations.js';
import { header, jsonBody, principalOf, problem, query, requestFacts, SECURITY_HEADERS } from './proxy-event.js';
import { revocationGate } from './revocation-gate.js';
import { refuseRefusedToken } from './token-refusal.js';

/** What a route's handler gets: the caller, the request's facts and the inputs its route declares, parsed. */
interface RouteRequest {
  readonly principal: Principal;
  readonly facts: RequestFacts;
  /** `{param}` segments of the route's path. */
  readonly path: Readonly<Record<string, string>>;
  /** The body, valid against the route's body schema (an empty object for routes without one). */
  readonly body: Record<string, unknown>;
  /** The route's declared query parameters, typed by their spec; absent ones are undefined. */
  readonly query: Readonly<Record<string, string | number | boolean | undefined>>;
  /** The route's declared headers. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** A route's answer: the body (JSON) or `raw` text already serialized; the status defaults to the route's success status. */
interface RouteAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type RouteHandler = (request: RouteRequest) => Promise<RouteAnswer> | RouteAnswer;

/** A public route's handler: no caller. */
type PublicRouteHandler = (request: Omit<RouteRequest, 'principal'>) => Promise<RouteAnswer> | RouteAnswer;

/** One handler for every route the function serves: the type fails to compile when a route of the table has none. */
export type RouteHandlers<F extends ApiFunction> = { readonly [R in RoutesOf<F> as RouteKey<R>]: R extends { public: true } ? PublicRouteHandler : RouteHandler };

export interface ApiHandlerDeps {
  readonly maxBodyBytes: number;
  /** The stage's base URL, for links (contract/settings.ts ENV.apiBaseUrl when deployed; local mode's own URL). */
  readonly baseUrl: () => string;
  /** Checked on every request, because API Gateway may answer from its authorizer cache. */
  readonly isRevoked: RevocationCheck;
  readonly audit: AuditTrail;
  readonly logError: (message: string, err: unknown) => void;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

// One validator per body schema, compiled on first use, so a cold start pays only for what a request needs.
const bodyValidators = new Map<string, ValidateFunction>();

export function createApiHandler<F extends ApiFunction>(fn: F, handlers: RouteHandlers<F>, deps: ApiHandlerDeps): ProxyHandler {
  const routes = new Map(ROUTES.filter((r) => r.function === fn).map((r) => [routeKey(r), r]));
  const refuseRevoked = revocationGate(deps.isRevoked, deps.audit);
  return async (event) => {
    try {
      const route = routes.get(`${event.httpMethod} ${event.resource}`);
      if (!route) {
        const allowed = [...routes.values()].some((r) => r.path === event.resource) ? allowedMethods(event.resource) : [];
        if (allowed.length) throw new MethodNotAllowed(allowed);
        throw new RouteNotFound(`no route ${event.httpMethod} ${event.path}`);
      }
      const handle = (handlers as Record<string, RouteHandler>)[routeKey(route)]!;
      const facts = requestFacts(event, deps.baseUrl());
      // The caller first: a refused, revoked or unidentified caller learns nothing about its inputs.
      const refusal = route.public ? undefined : refuseRefusedToken(event, facts, deps.audit);
      const principal = route.public ? undefined : principalOf(event);
      if (principal) await refuseRevoked(principal, facts, refusal?.requestId);
      const inputs = { facts, path: pathParameters(event), body: readBody(event, route, deps.maxBodyBytes), query: readQuery(event, route), headers: readHeaders(event, route) };
      return answer(route, await (principal ? handle({ ...inputs, principal }) : (handle as PublicRouteHandler)(inputs)));
    } catch (err) {
      const answer = problem(err, event.requestContext.requestId);
      if (answer.statusCode >= 500) deps.logError('request failed', err);
      return answer;
    }
  };
}

function answer(route: Route, a: RouteAnswer): APIGatewayProxyResult {
  const statusCode = a.status ?? route.response.status;
  if (statusCode === 204) return { statusCode, headers: { ...SECURITY_HEADERS, ...a.headers }, body: '' };
  return { statusCode, headers: { 'Content-Type': 'application/json', ...SECURITY_HEADERS, ...a.headers }, body: a.raw ?? JSON.stringify(a.body) };
}

function readBody(event: APIGatewayProxyEvent, route: Route, maxBytes: number): Record<string, unknown> {
  if (!route.body) return {};
  const body = jsonBody(event, maxBytes);
  let validate = bodyValidators.get(route.body);
  if (!validate) {
    validate = createAjv().compile(REQUEST_BODY_SCHEMAS[route.body]);
    bodyValidators.set(route.body, validate);
  }
  if (!validate(body)) {
    const schema = REQUEST_BODY_SCHEMAS[route.body] as { properties?: Record<string, unknown> };
    const members = Object.keys(schema.properties ?? {});
    const errors = fieldErrors(validate.errors ?? [], { unknownMember: `is not a member of ${route.body}; it has ${members.join(', ')}` });
    const [first, ...rest] = errors.length ? errors : [{ pointer: '', detail: 'is invalid' }];
    throw new BadRequest(`the body is not a ${route.body} (see /openapi.json): ${errors.map((e) => `${e.pointer || 'the body'} ${e.detail}`).join('; ')}`, [first!, ...rest]);
  }
  return body;
}

function readQuery(event: APIGatewayProxyEvent, route: Route): Record<string, string | number | boolean | undefined> {
  const declared = route.query ?? {};
  // Refused rather than ignored: a misspelt filter must not silently return everything.
  const sent = new Set([...Object.keys(event.queryStringParameters ?? {}), ...Object.keys(event.multiValueQueryStringParameters ?? {})]);
  const unknown = [...sent].filter((name) => !Object.hasOwn(declared, name));
  if (unknown.length) {
    const takes = Object.keys(declared).length ? `it takes ${Object.keys(declared).join(', ')}` : 'it takes none';
    throw new BadRequest(
      `${route.method} ${route.path} has no query parameter ${unknown.map((n) => JSON.stringify(n.slice(0, 64))).join(', ')}; ${takes}`,
      unknown.map((name) => ({ pointer: `query:${name.slice(0, 64)}`, detail: `is not a query parameter of this route; ${takes}` })) as [FieldError, ...FieldError[]],
    );
  }
  return Object.fromEntries(Object.entries(declared).map(([name, spec]) => [name, typed(name, query(event, name, spec.maxLength ?? (spec.type === 'string' ? 2048 : 16)), spec)]));
}

function readHeaders(event: APIGatewayProxyEvent, route: Route): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(route.headers ?? {}).map((name) => [name, header(event, name)]));
}

/** A query value as its spec's type; a value that is not one is a 400 naming the parameter. */
function typed(name: string, value: string | undefined, spec: InputSpec): string | number | boolean | undefined {
  if (value === undefined) return value;
  if (spec.type === 'string') return typedString(name, value, spec);
  if (spec.type === 'boolean') {
    if (value === 'true' || value === '') return true;
    if (value === 'false') return false;
    throw new BadRequest(`${name} must be true or false`, [{ pointer: `query:${name}`, detail: 'must be true or false' }]);
  }
  const n = Number(value);
  const min = spec.minimum ?? 0;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || (spec.maximum !== undefined && n > spec.maximum)) {
    const range = `a whole number from ${min}${spec.maximum !== undefined ? ` to ${spec.maximum}` : ''}`;
    throw new BadRequest(`${name} must be ${range}`, [{ pointer: `query:${name}`, detail: `must be ${range}` }]);
  }
  return n;
}

// RFC 3339 section 5.6 date-time: the offset is required, so a time is never read in some unknown zone
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function typedString(name: string, value: string, spec: InputSpec): string {
  if (spec.enum && !spec.enum.includes(value)) {
    const detail = `must be one of ${spec.enum.join(', ')}`;
    throw new BadRequest(`${name} ${detail}`, [{ pointer: `query:${name}`, detail }]);
  }
  if (spec.format === 'date-time') {
    const time = DATE_TIME.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(time)) {
      const detail = 'must be an RFC 3339 time with its offset, e.g. 2026-12-01T00:00:00Z';
      throw new BadRequest(`${name} ${detail}`, [{ pointer: `query:${name}`, detail }]);
    }
    return new Date(time).toISOString();
  }
  return value;
}

/** The path's `{param}` values; API Gateway sends one for every segment of the matched resource. */
function pathParameters(event: APIGatewayProxyEvent): Record<string, string> {
  return Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}
