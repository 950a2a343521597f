// A local stand-in for the API Gateway REST API: the same event and authorizer contract, so the deployed handlers run unchanged.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { ValidateFunction } from 'ajv';
import { renderGatewayResponse, type GatewayResponseSpec } from '../lib/gateway-responses.js';
import { matchRoute, type FunctionName, type Route } from '../lib/routes.js';
import { createAjv } from '../lambda/core/ajv.js';
import { REQUEST_BODY_SCHEMAS } from '../lambda/core/api-schemas.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface LocalGatewayOptions {
  readonly port: number;
  readonly host: string;
  readonly authorizer: AuthorizerHandler;
  readonly functions: Readonly<Record<FunctionName, ProxyHandler>>;
  /** API Gateway caches authorizer results by identity source (the Authorization header) for this long. */
  readonly authorizerCacheTtlSeconds: number;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly routeThrottles?: Readonly<Record<string, { readonly rateLimit: number; readonly burstLimit: number }>>;
  /** Integration timeout (API Gateway's is 29 s). */
  readonly timeoutMs?: number;
  readonly stage?: string;
  readonly region?: string;
  /** Called for each request once answered: for access logs in local mode. */
  readonly onAccess?: (entry: AccessLogEntry) => void;
}

export interface AccessLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly principal?: string;
  readonly authorizerError?: string;
}

export interface LocalGateway {
  readonly url: string;
  /** Forget cached authorizer results (API Gateway's "flush authorizer cache"). */
  flushAuthorizerCache(): void;
  close(): Promise<void>;
}

const PAYLOAD_LIMIT = 10 * 1024 * 1024; // API Gateway's own request limit
const ACCOUNT = '000000000000';
const API_ID = 'localapi';

interface CachedAuth {
  readonly result: APIGatewayAuthorizerResult;
  readonly expires: number;
}

class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const stage = options.stage ?? 'local';
  const region = options.region ?? 'us-east-1';
  const authCache = new Map<string, CachedAuth>();
  const stageBucket = new TokenBucket(options.throttle.rateLimit, options.throttle.burstLimit);
  const routeBuckets = new Map(Object.entries(options.routeThrottles ?? {}).map(([k, t]) => [k, new TokenBucket(t.rateLimit, t.burstLimit)]));
  const ajv = createAjv();
  const bodyValidators = new Map<string, ValidateFunction>(Object.entries(REQUEST_BODY_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    handle(req, requestId)
      .catch(() => ({ ...renderGatewayResponse('DEFAULT_5XX', { requestId }), statusCode: 502 }) as Answer)
      .then((answer) => {
        send(res, requestId, answer);
        options.onAccess?.({
          requestId,
          method: req.method ?? '',
          path: req.url ?? '',
          status: answer.statusCode,
          latencyMs: Date.now() - started,
          principal: answer.principal,
          authorizerError: answer.authorizerError,
        });
      });
  });

  type Answer = { statusCode: number; headers: Record<string, string>; multiValueHeaders?: Record<string, string[]>; body: string; isBase64Encoded?: boolean; principal?: string; authorizerError?: string };

  const gatewayResponse = (type: GatewayResponseSpec['type'], requestId: string, extra: Partial<Answer> = {}, validationErrorString?: string): Answer => ({
    ...renderGatewayResponse(type, { requestId, validationErrorString }),
    ...extra,
  });

  async function handle(req: IncomingMessage, requestId: string): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const matched = matchRoute(method, url.pathname);
    // Read the body first, as API Gateway does, so an oversized body is refused whatever the route.
    const body = await readBody(req);
    if (body === 'too-large') return gatewayResponse('REQUEST_TOO_LARGE', requestId);
    if (!matched.route) return gatewayResponse('MISSING_AUTHENTICATION_TOKEN', requestId);
    const route = matched.route;

    if (!stageBucket.take() || !(routeBuckets.get(`${route.method} ${route.path}`)?.take() ?? true)) {
      return gatewayResponse('THROTTLED', requestId);
    }

    const headers = headerMaps(req);
    // API Gateway adds these for the integration; behind it the client's scheme is https, here it is http.
    for (const [name, value] of [['X-Forwarded-Proto', 'http'], ['X-Forwarded-For', req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'], ['X-Forwarded-Port', String(req.socket.localPort ?? '')]] as const) {
      headers.single[name] = value;
      headers.multi[name] = [value];
    }
    const event = proxyEvent({ req, url, route, pathParameters: matched.pathParameters, headers, body, requestId, stage, region });

    if (!route.public) {
      const auth = await authorize(route, event, requestId);
      if ('denied' in auth) return auth.denied;
      event.requestContext.authorizer = { ...auth.context, principalId: auth.principalId };
    }

    if (route.body) {
      const problem = validateBody(route, body, headers.single);
      if (problem) return gatewayResponse('BAD_REQUEST_BODY', requestId, {}, problem);
    }

    const principal = typeof event.requestContext.authorizer?.subject === 'string' ? `${event.requestContext.authorizer.issuer}#${event.requestContext.authorizer.subject}` : undefined;
    const fn = options.functions[route.function];
    const result = await withTimeout(fn(event, lambdaContext(route.function, requestId, options.timeoutMs ?? 29000)), options.timeoutMs ?? 29000);
    if (result === 'timeout') return { ...gatewayResponse('DEFAULT_5XX', requestId), statusCode: 504, principal };
    if (!result || typeof result.statusCode !== 'number') return { ...gatewayResponse('DEFAULT_5XX', requestId), statusCode: 502, principal };
    return {
      statusCode: result.statusCode,
      headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
      multiValueHeaders: result.multiValueHeaders as Record<string, string[]> | undefined,
      body: result.body ?? '',
      isBase64Encoded: result.isBase64Encoded,
      principal,
    };
  }

  async function authorize(
    route: Route,
    event: APIGatewayProxyEvent,
    requestId: string,
  ): Promise<{ denied: Answer } | { principalId: string; context: Record<string, string | number | boolean> }> {
    // Identity source: the Authorization header. Without it API Gateway answers 401 and never calls the authorizer.
    const identity = event.headers.Authorization ?? event.headers.authorization ?? Object.entries(event.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    if (!identity) return { denied: gatewayResponse('UNAUTHORIZED', requestId, { authorizerError: 'missing identity source' }) };
    const methodArn = `arn:aws:execute-api:${region}:${ACCOUNT}:${API_ID}/${stage}/${route.method}${event.path}`;
    const now = Date.now();
    let cached = options.authorizerCacheTtlSeconds > 0 ? authCache.get(identity) : undefined;
    if (cached && cached.expires <= now) {
      authCache.delete(identity);
      cached = undefined;
    }
    let result = cached?.result;
    if (!result) {
      const authEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn,
        resource: route.path,
        path: event.path,
        httpMethod: route.method,
        headers: event.headers as Record<string, string>,
        multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
        pathParameters: event.pathParameters,
        queryStringParameters: event.queryStringParameters as Record<string, string> | null,
        multiValueQueryStringParameters: event.multiValueQueryStringParameters as Record<string, string[]> | null,
        stageVariables: null,
        requestContext: event.requestContext as APIGatewayRequestAuthorizerEvent['requestContext'],
      };
      try {
        result = await options.authorizer(authEvent, lambdaContext('authorizer', requestId, 10000));
      } catch (err) {
        // The documented contract: an error whose message is exactly "Unauthorized" means 401; anything else is a 500.
        if (err instanceof Error && err.message === 'Unauthorized') {
          return { denied: gatewayResponse('UNAUTHORIZED', requestId, { authorizerError: 'Unauthorized' }) };
        }
        return { denied: gatewayResponse('AUTHORIZER_FAILURE', requestId, { authorizerError: err instanceof Error ? err.name : 'error' }) };
      }
      if (!result || typeof result.principalId !== 'string' || !result.policyDocument) {
        return { denied: gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', requestId, { authorizerError: 'malformed authorizer response' }) };
      }
      if (options.authorizerCacheTtlSeconds > 0) authCache.set(identity, { result, expires: now + options.authorizerCacheTtlSeconds * 1000 });
    }
    if (!policyAllows(result, methodArn)) return { denied: gatewayResponse('ACCESS_DENIED', requestId, { authorizerError: 'policy denies' }) };
    const context: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(result.context ?? {})) {
      // API Gateway passes only string, number and boolean context values; anything else fails the request.
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') context[k] = v;
      else if (v !== null && v !== undefined) return { denied: gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', requestId) };
    }
    return { principalId: result.principalId, context };
  }

  function validateBody(route: Route, body: string, headers: Record<string, string>): string | undefined {
    const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
    // API Gateway validates against the model mapped to the request's content type; ours is mapped to application/json.
    if (!/^application\/json\b/i.test(type)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return 'Invalid request body';
    }
    const validate = bodyValidators.get(route.body!)!;
    if (validate(value)) return undefined;
    return `[${(validate.errors ?? []).map((e) => `${e.instancePath || 'object'} ${e.message ?? 'is invalid'}`).join(', ')}]`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${address.port}`,
    flushAuthorizerCache: () => authCache.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, requestId: string, answer: { statusCode: number; headers: Record<string, string>; multiValueHeaders?: Record<string, string[]>; body: string; isBase64Encoded?: boolean }): void {
  const headers: Record<string, string | string[]> = { ...answer.headers, ...(answer.multiValueHeaders ?? {}) };
  headers['x-amzn-RequestId'] = requestId;
  const body = answer.isBase64Encoded ? Buffer.from(answer.body, 'base64') : Buffer.from(answer.body, 'utf8');
  headers['Content-Length'] = String(body.length);
  try {
    res.writeHead(answer.statusCode, headers).end(body);
  } catch {
    // A handler produced an invalid header: API Gateway answers 502 for a malformed Lambda proxy response.
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/problem+json' }).end(renderGatewayResponse('DEFAULT_5XX', { requestId }).body);
  }
}

function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > PAYLOAD_LIMIT) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Headers as API Gateway passes them: names as the client sent them, `headers` with the last value, `multiValueHeaders` with all. */
function headerMaps(req: IncomingMessage): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    const existing = Object.keys(multi).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    (multi[existing] ??= []).push(value);
    single[existing] = value;
  }
  return { single, multi };
}

function proxyEvent(args: {
  req: IncomingMessage;
  url: URL;
  route: Route;
  pathParameters: Record<string, string>;
  headers: { single: Record<string, string>; multi: Record<string, string[]> };
  body: string;
  requestId: string;
  stage: string;
  region: string;
}): APIGatewayProxyEvent {
  const { req, url, route, headers, body, requestId, stage } = args;
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const now = Date.now();
  const hostHeader = Object.entries(headers.single).find(([k]) => k.toLowerCase() === 'host')?.[1] ?? 'localhost';
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: Object.keys(args.pathParameters).length ? args.pathParameters : null,
    stageVariables: null,
    body: body.length ? body : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      authorizer: null,
      domainName: hostHeader,
      domainPrefix: hostHeader.split('.')[0] ?? hostHeader,
      extendedRequestId: requestId,
      httpMethod: route.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${stage}${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      resourceId: route.path,
      resourcePath: route.path,
      stage,
    },
  };
}

/** Allow only if some Allow statement matches the method ARN and no Deny statement does (IAM evaluation). */
export function policyAllows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const statements = result.policyDocument?.Statement ?? [];
  const matches = (s: (typeof statements)[number]) => {
    const resources = 'Resource' in s ? (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) : [];
    const actions = 'Action' in s ? (Array.isArray(s.Action) ? s.Action : [s.Action]) : [];
    const actionOk = actions.some((a) => a === 'execute-api:Invoke' || a === 'execute-api:*' || a === '*');
    return actionOk && resources.some((r) => typeof r === 'string' && wildcard(r).test(methodArn));
  };
  if (statements.some((s) => s.Effect === 'Deny' && matches(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s));
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function lambdaContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
