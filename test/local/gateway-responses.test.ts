// Gateway responses as API Gateway fills them (plain substitution, no VTL): valid problem+json whatever it substitutes,
// each response type with its own status, and templates that would break on AWS break here too.
import { describe, expect, it } from '@jest/globals';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { GATEWAY_RESPONSES, RESPONSE_TYPE_STATUS, type GatewayResponseSpec, type GatewayResponseType } from '../../lib/gateway-responses.js';
import { CONTEXT_VARIABLES, renderGatewayResponse, type GatewayResponseVariables } from '../../local/gateway-response.js';
import { startLocalGateway, type ProxyHandler } from '../../local/gateway.js';

const REQUEST_ID = '6f1c1b8e-2d4a-4c3b-9a57-0e8f5d2b7c11';

/** Values the caller, the IdP or an error can shape: each must survive substitution anywhere in a template. */
const ADVERSARIAL = [
  'plain',
  'say "hi"',
  '[object has missing required properties (["template"])]',
  'back\\slash \\" \\u0041 \\',
  'line\nbreak\r\ttab',
  '$context.requestId $util.escapeJavaScript($x) ${x}',
  'ünïcödé ✓ 漢字 \u2028\u2029 😀',
  '\u0000\u001f',
  '"}, "status": 200, "x": {"',
  "'single' quotes",
  '',
];

/** Values API Gateway generates itself, in the format its documentation gives. */
const GENERATED: Record<string, (type: GatewayResponseType) => string> = {
  requestId: () => REQUEST_ID,
  awsEndpointRequestId: () => 'a3b0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d',
  extendedRequestId: () => 'Ab1Cd2Ef3Gh4Ij=',
  accountId: () => '123456789012',
  apiId: () => 'a1b2c3d4e5',
  resourceId: () => 'x1y2z3',
  stage: () => 'v1',
  httpMethod: () => 'POST',
  protocol: () => 'HTTP/1.1',
  requestTime: () => '21/Nov/2026:10:00:00 +0000',
  requestTimeEpoch: () => '1795255200000',
  'error.responseType': (type) => type,
};

const EVENT_TYPES = (Object.keys(RESPONSE_TYPE_STATUS) as GatewayResponseType[]).filter((t) => !t.startsWith('DEFAULT_'));

/** Every variable set: generated ones in their format, every other one (and the error text) to `text`. */
function variablesWith(text: string, type: GatewayResponseType): GatewayResponseVariables {
  const context: Record<string, string> = {};
  for (const name of CONTEXT_VARIABLES) {
    if (name.startsWith('error.')) continue;
    const key = name === 'authorizer.<key>' ? 'authorizer.subject' : name;
    context[key] = GENERATED[key]?.(type) ?? text;
  }
  return { context, stageVariables: { env: text }, request: { header: { 'User-Agent': text, Origin: text }, querystring: { q: text }, path: { id: text } } };
}

const expectedStatus = (type: GatewayResponseType) => GATEWAY_RESPONSES.find((s) => s.type === type)?.statusCode ?? RESPONSE_TYPE_STATUS[type];

describe('every gateway response is problem+json whatever API Gateway substitutes', () => {
  it.each(EVENT_TYPES)('%s', (type) => {
    for (const text of ADVERSARIAL) {
      // GIVEN a request whose every caller- or error-shaped variable holds hostile text
      const variables = variablesWith(text, type);
      // WHEN API Gateway answers it with this response type
      const res = renderGatewayResponse(GATEWAY_RESPONSES, { type, message: text, validationErrorString: text }, variables);
      // THEN the body parses as a problem document with the type's own status and the request id
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(res.body);
      } catch (err) {
        throw new Error(`${type} with ${JSON.stringify(text)} is not JSON: ${res.body} (${String(err)})`);
      }
      expect(res.statusCode).toBe(expectedStatus(type));
      expect(res.headers['Content-Type']).toBe('application/problem+json');
      expect(body).toEqual({
        type: expect.stringMatching(/^https:\/\/data-job-gateway\.dev\/problems\/[a-z-]+$/),
        title: expect.any(String),
        ...(body.status === undefined ? {} : { status: res.statusCode }),
        detail: expect.any(String),
        requestId: REQUEST_ID,
      });
    }
  });

  it('uses no variable whose value the caller or an error can shape', () => {
    const used = GATEWAY_RESPONSES.flatMap((s) => [...s.template.matchAll(/\$[A-Za-z.]+/g)].map((m) => m[0]));
    expect([...new Set(used)].sort()).toEqual(['$context.error.responseType', '$context.requestId']);
  });
});

describe('each response type keeps its own status', () => {
  it.each<[GatewayResponseType, number]>([
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['INTEGRATION_TIMEOUT', 504],
    ['INTEGRATION_FAILURE', 504],
    ['RESOURCE_NOT_FOUND', 404],
    ['BAD_REQUEST_BODY', 400],
    ['EXPIRED_TOKEN', 403],
    ['API_CONFIGURATION_ERROR', 500],
  ])('%s answers %i through the default response', (type, status) => {
    const res = renderGatewayResponse(GATEWAY_RESPONSES, { type, message: 'x' }, variablesWith('x', type));
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body).detail).toContain(`(${type})`);
  });

  it('a failed Lambda proxy integration answers 502 through DEFAULT_5XX', () => {
    const res = renderGatewayResponse(GATEWAY_RESPONSES, { type: 'INTEGRATION_FAILURE', status: 502, message: 'Internal server error' }, variablesWith('x', 'INTEGRATION_FAILURE'));
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ title: 'Internal error', requestId: REQUEST_ID });
  });

  it('a status on DEFAULT_4XX would rewrite every 4xx type it stands in for, as API Gateway does', () => {
    const withStatus: GatewayResponseSpec[] = GATEWAY_RESPONSES.map((s) => (s.type === 'DEFAULT_4XX' ? { ...s, statusCode: 400 } : s));
    expect(renderGatewayResponse(withStatus, { type: 'UNSUPPORTED_MEDIA_TYPE', message: 'x' }, variablesWith('x', 'UNSUPPORTED_MEDIA_TYPE')).statusCode).toBe(400);
  });

  it('a type nobody customized gets API Gateway’s own {"message": ...} body', () => {
    const res = renderGatewayResponse([], { type: 'THROTTLED', message: 'Too Many Requests' }, variablesWith('x', 'THROTTLED'));
    expect(res).toEqual({ statusCode: 429, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Too Many Requests"}' });
  });
});

describe('substitution is plain, as on AWS', () => {
  const spec = (template: string): GatewayResponseSpec[] => [{ type: 'BAD_REQUEST_BODY', statusCode: 400, headers: {}, template }];
  const validation = '[object has missing required properties (["template"])]';

  it('leaves $util calls in the body, so an escapeJavaScript template is not JSON', () => {
    // GIVEN the template this repository shipped before: VTL that API Gateway does not evaluate
    const template = '{"detail":"$util.escapeJavaScript($context.error.validationErrorString)","requestId":"$context.requestId"}';
    // WHEN API Gateway fills it for a body that misses a required property
    const res = renderGatewayResponse(spec(template), { type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrorString: validation }, variablesWith('x', 'BAD_REQUEST_BODY'));
    // THEN the call is emitted literally around the raw text, and the body is not JSON
    expect(res.body).toBe(`{"detail":"$util.escapeJavaScript(${validation})","requestId":"${REQUEST_ID}"}`);
    expect(() => JSON.parse(res.body)).toThrow(SyntaxError);
  });

  it('substitutes validationErrorString raw, so it cannot sit inside a JSON string', () => {
    const res = renderGatewayResponse(spec('{"detail":"$context.error.validationErrorString"}'), { type: 'BAD_REQUEST_BODY', message: 'm', validationErrorString: validation }, variablesWith('x', 'BAD_REQUEST_BODY'));
    expect(() => JSON.parse(res.body)).toThrow(SyntaxError);
  });

  it('quotes messageString without escaping inside the quotes', () => {
    const render = (message: string) => renderGatewayResponse(spec('{"message":$context.error.messageString}'), { type: 'BAD_REQUEST_BODY', message }, variablesWith('x', 'BAD_REQUEST_BODY')).body;
    expect(JSON.parse(render('Invalid request body'))).toEqual({ message: 'Invalid request body' });
    expect(() => JSON.parse(render('a "quoted" word'))).toThrow(SyntaxError);
  });

  it('takes the longest variable name, leaves unknown names as they are and fills header mappings', () => {
    const specs: GatewayResponseSpec[] = [
      { type: 'THROTTLED', headers: { 'X-Literal': "'a b'", 'X-Origin': 'method.request.header.origin', 'X-Id': 'context.requestId' }, template: '$context.error.message|$context.error.messageString|$context.nope|$stageVariables.env|$method.request.querystring.q|$context.authorizer.subject.' },
    ];
    const res = renderGatewayResponse(specs, { type: 'THROTTLED', message: 'm' }, { context: { requestId: 'r', 'authorizer.subject': 'alice' }, stageVariables: { env: 'prod' }, request: { header: { Origin: 'https://o' }, querystring: { q: 'v' } } });
    expect(res).toEqual({ statusCode: 429, headers: { 'X-Literal': 'a b', 'X-Origin': 'https://o', 'X-Id': 'r' }, body: 'm|"m"|$context.nope|prod|v|alice.' });
  });
});

describe('the local gateway answers with these responses', () => {
  const allow = (arn: string): APIGatewayAuthorizerResult => ({ principalId: 'alice', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: arn }] }, context: { subject: 'alice' } });
  const start = (catalog: ProxyHandler) =>
    startLocalGateway({
      port: 0,
      host: '127.0.0.1',
      authorizer: async (e) =>
        e.headers?.Authorization === 'Bearer ok' ? allow(e.methodArn) : Promise.reject(new Error(e.headers?.Authorization === 'Bearer outage' ? 'jwks_unavailable' : 'Unauthorized')),
      functions: { catalog, jobs: catalog, admin: catalog },
      authorizerCacheTtlSeconds: 0,
      throttle: { rateLimit: 1000, burstLimit: 1000 },
      timeoutMs: 200,
    });

  it.each<[string, number, ProxyHandler]>([
    ['a function that throws', 502, async () => Promise.reject(new Error('boom'))],
    ['a function that returns no proxy response', 502, async () => ({}) as never],
    ['a function that outlives the integration timeout', 504, () => new Promise<never>(() => {})],
  ])('%s: %i problem+json naming the response type', async (_name, status, fn) => {
    const gw = await start(fn);
    try {
      const res = await fetch(`${gw.url}/templates`, { headers: { Authorization: 'Bearer ok' } });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = (await res.json()) as { detail: string };
      expect(body).toMatchObject({ title: 'Internal error', requestId: res.headers.get('x-amzn-requestid') });
      expect(body.detail).toContain(status === 504 ? '(INTEGRATION_TIMEOUT)' : '(INTEGRATION_FAILURE)');
    } finally {
      await gw.close();
    }
  });

  it('503 with Retry-After when the authorizer fails (it could check no token), never a 401', async () => {
    const gw = await start(async () => ({ statusCode: 200, body: '{}' }));
    try {
      const res = await fetch(`${gw.url}/templates`, { headers: { Authorization: 'Bearer outage' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ type: 'https://data-job-gateway.dev/problems/token-check-unavailable', status: 503 });
    } finally {
      await gw.close();
    }
  });

  it('401 without a token, 404 for an unknown route, with the request id API Gateway assigned', async () => {
    const gw = await start(async () => ({ statusCode: 200, body: '{}' }));
    try {
      const unauthenticated = await fetch(`${gw.url}/templates`);
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await unauthenticated.json()) as { requestId: string }).requestId).toBe(unauthenticated.headers.get('x-amzn-requestid'));
      const unknown = await fetch(`${gw.url}/nope?q="x"`, { headers: { 'User-Agent': 'agent "with" quotes' } });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ type: 'https://data-job-gateway.dev/problems/not-found', status: 404 });
    } finally {
      await gw.close();
    }
  });
});
