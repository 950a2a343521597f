// The edge between API Gateway REST (payload v1) events and the core: parse, identify, answer; errors become problem+json.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { BadRequest, PayloadTooLarge, Unauthenticated, UnsupportedMediaType, toProblem } from '../core/errors.js';
import type { RequestFacts } from '../core/jobs.js';
import { fromAuthorizerContext, type Principal } from '../core/principal.js';

export const SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

/** Any error as RFC 9457 problem+json; unknown errors are logged by the caller and shown as a bare 500. */
export function problem(err: unknown, requestId: string): APIGatewayProxyResult {
  const p = toProblem(err, requestId);
  return { statusCode: p.status, headers: { 'Content-Type': 'application/problem+json', ...SECURITY_HEADERS, ...p.headers }, body: JSON.stringify(p.problem) };
}

/** The caller, from the authorizer context only: never from headers or the body. */
export function principalOf(event: APIGatewayProxyEvent): Principal {
  const p = fromAuthorizerContext(event.requestContext.authorizer as Record<string, unknown> | null);
  if (!p) throw new Unauthenticated('the request carries no verified identity');
  return p;
}

/**
 * The request's facts for the audit trail and links. `baseUrl` is the stage's configured base URL (the custom domain,
 * else the execute-api URL of the stage, given at deploy time): never built from Host or X-Forwarded-Proto, which the
 * caller controls.
 */
export function requestFacts(event: APIGatewayProxyEvent, baseUrl: string): RequestFacts {
  const rc = event.requestContext;
  return {
    requestId: rc.requestId,
    sourceIp: rc.identity?.sourceIp,
    userAgent: header(event, 'user-agent')?.slice(0, 512),
    baseUrl: baseUrl.replace(/\/+$/, ''),
  };
}

/** A header by case-insensitive name; a header sent more than once is ambiguous and rejected. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  const multi = Object.entries(event.multiValueHeaders ?? {}).find(([k]) => k.toLowerCase() === lower)?.[1];
  if (multi && multi.length > 1) throw new BadRequest(`the ${name} header may be sent only once`, [{ pointer: `header:${name}`, detail: 'is repeated' }]);
  const entry = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === lower);
  return entry?.[1] ?? undefined;
}

/** A single-valued query parameter, length-capped. */
export function query(event: APIGatewayProxyEvent, name: string, maxLength = 2048): string | undefined {
  const multi = event.multiValueQueryStringParameters?.[name];
  if (multi && multi.length > 1) throw new BadRequest(`query parameter ${name} may be given only once`, [{ pointer: `query:${name}`, detail: 'is repeated' }]);
  const v = event.queryStringParameters?.[name] ?? undefined;
  if (v !== undefined && v.length > maxLength) throw new BadRequest(`query parameter ${name} is too long`, [{ pointer: `query:${name}`, detail: `is longer than ${maxLength} characters` }]);
  return v;
}

const MAX_DEPTH = 32;

/** Parse a JSON body: size-capped, JSON media type, an object at the top, bounded nesting, no prototype keys. */
export function jsonBody(event: APIGatewayProxyEvent, maxBytes: number): Record<string, unknown> {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new PayloadTooLarge(`the body is larger than ${maxBytes} bytes`);
  const type = header(event, 'content-type');
  if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;.*)?$/i.test(type)) {
    throw new UnsupportedMediaType('send the body as application/json');
  }
  if (!text.trim()) throw new BadRequest('the request needs a JSON body', [{ pointer: '', detail: 'is empty' }]);
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new ForbiddenKey(key);
      return v;
    });
  } catch (err) {
    if (err instanceof ForbiddenKey) throw new BadRequest(`the body may not contain the key "${err.key}"`, [{ pointer: '', detail: `contains the key ${err.key}` }]);
    throw new BadRequest('the body is not valid JSON', [{ pointer: '', detail: 'is not valid JSON' }]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('the body must be a JSON object', [{ pointer: '', detail: 'must be a JSON object' }]);
  if (depth(value) > MAX_DEPTH) throw new BadRequest(`the body is nested deeper than ${MAX_DEPTH} levels`, [{ pointer: '', detail: `is nested deeper than ${MAX_DEPTH} levels` }]);
  return value as Record<string, unknown>;
}

class ForbiddenKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

function depth(v: unknown): number {
  // Iterative, so a hostile body cannot exhaust the stack.
  let max = 0;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [node, d] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    max = Math.max(max, d);
    if (max > MAX_DEPTH) return max;
    for (const child of Object.values(node)) stack.push([child, d + 1]);
  }
  return max;
}
