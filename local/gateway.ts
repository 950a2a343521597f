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
import { GATEWAY_RESPONSES } from '../lib/gateway-responses.js';
import { matchRoute, RESOURCES, type ApiFunction, type Route } from '../contract/routes.js';
import { renderGatewayResponse, type GatewayResponseEvent, type GatewayResponseVariables } from './gateway-response.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface LocalGatewayOptions {
  readonly port: number;
  readonly host: string;
  readonly authorizer: AuthorizerHandler;
  readonly functions: Readonly<Record<ApiFunction, ProxyHandler>>;
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

/** A method API Gateway has: a route of the table, or a resource's ANY method. */
type GatewayMethod = Pick<Route, 'path' | 'function' | 'public'> & { readonly method: string };

const anyMethod = (method: string, path: string): GatewayMethod | undefined => {
  const resource = RESOURCES.find((r) => r.path === path);
  return resource && { method, path, function: resource.function, public: true };
};

type Answer = { statusCode: number; headers: Record<string, string>; multiValueHeaders?: Record<string, string[]>; body: string; isBase64Encoded?: boolean; principal?: string; authorizerError?: string };

/** The request's gateway-response variables; filled in as the request gets further (route, authorizer context). */
type Variables = GatewayResponseVariables & { context: Record<string, string | undefined> };

/** A Lambda proxy integration that threw or returned no valid response: API Gateway answers 502, not the type's 504. */
// https://repost.aws/knowledge-center/malformed-502-api-gateway
const LAMBDA_FAILED: GatewayResponseEvent = { type: 'INTEGRATION_FAILURE', status: 502, message: 'Internal server error' };

const AUTHORIZER_MESSAGES = {
  UNAUTHORIZED: 'Unauthorized',
  ACCESS_DENIED: 'User is not authorized to access this resource with an explicit deny',
  AUTHORIZER_FAILURE: 'Internal server error',
  AUTHORIZER_CONFIGURATION_ERROR: 'Internal server error',
} as const;

/** The API's gateway responses (lib/gateway-responses.ts), filled in as API Gateway fills them. */
function gatewayResponse(event: GatewayResponseEvent, variables: Variables, extra: Partial<Answer> = {}): Answer {
  return { ...renderGatewayResponse(GATEWAY_RESPONSES, event, variables), ...extra };
}

/** The `$context` values API Gateway knows before routing. */
function contextVariables(req: IncomingMessage, requestId: string, stage: string): Variables {
  const host = req.headers.host ?? 'localhost';
  const now = Date.now();
  return {
    context: {
      requestId,
      extendedRequestId: requestId,
      accountId: ACCOUNT,
      apiId: API_ID,
      stage,
      domainName: host,
      domainPrefix: host.split('.')[0],
      httpMethod: req.method,
      path: `/${stage}${new URL(req.url ?? '/', 'http://localhost').pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestTime: clfTime(now),
      requestTimeEpoch: String(now),
      'identity.sourceIp': req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      'identity.userAgent': req.headers['user-agent'],
    },
    request: { header: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')])) },
  };
}

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

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    const variables = contextVariables(req, requestId, stage);
    handle(req, requestId, variables)
      .catch(() => gatewayResponse(LAMBDA_FAILED, variables))
      .then((answer) => {
        send(res, answer, variables);
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

  async function handle(req: IncomingMessage, requestId: string, variables: Variables): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const matched = matchRoute(method, url.pathname);
    // Read the body first, as API Gateway does, so an oversized body is refused whatever the route.
    const body = await readBody(req);
    if (body === 'too-large') return gatewayResponse({ type: 'REQUEST_TOO_LARGE', message: 'Request Too Long' }, variables);
    // A known resource answers any other method through its ANY method: no authorizer, the function answers 405 with
    // Allow (contract/routes.ts RESOURCES); an unknown path is API Gateway's MISSING_AUTHENTICATION_TOKEN.
    const route: GatewayMethod | undefined = matched.route ?? (matched.resource ? anyMethod(method, matched.resource) : undefined);
    if (!route) return gatewayResponse({ type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' }, variables);
    variables.context.resourcePath = route.path;
    variables.context.resourceId = route.path;

    if (!stageBucket.take() || !(routeBuckets.get(`${route.method} ${route.path}`)?.take() ?? true)) {
      return gatewayResponse({ type: 'THROTTLED', message: 'Too Many Requests' }, variables);
    }

    const headers = headerMaps(req);
    // API Gateway adds these for the integration; behind it the client's scheme is https, here it is http.
    for (const [name, value] of [['X-Forwarded-Proto', 'http'], ['X-Forwarded-For', req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'], ['X-Forwarded-Port', String(req.socket.localPort ?? '')]] as const) {
      headers.single[name] = value;
      headers.multi[name] = [value];
    }
    const event = proxyEvent({ req, url, route, pathParameters: matched.pathParameters, headers, body, requestId, stage, region });

    if (!route.public) {
      const auth = await authorize(route, event, variables);
      if ('denied' in auth) return auth.denied;
      event.requestContext.authorizer = { ...auth.context, principalId: auth.principalId };
      for (const [k, v] of Object.entries(event.requestContext.authorizer)) variables.context[`authorizer.${k}`] = String(v);
    }

    // No request validator: the handlers validate bodies themselves and answer with one `errors[]` entry per field.
    const principal = typeof event.requestContext.authorizer?.subject === 'string' ? `${event.requestContext.authorizer.issuer}#${event.requestContext.authorizer.subject}` : undefined;
    const fn = options.functions[route.function];
    const result = await withTimeout(fn(event, lambdaContext(route.function, requestId, options.timeoutMs ?? 29000)), options.timeoutMs ?? 29000);
    if (result === 'timeout') return gatewayResponse({ type: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' }, variables, { principal });
    if (!result || typeof result.statusCode !== 'number') return gatewayResponse(LAMBDA_FAILED, variables, { principal });
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
    route: GatewayMethod,
    event: APIGatewayProxyEvent,
    variables: Variables,
  ): Promise<{ denied: Answer } | { principalId: string; context: Record<string, string | number | boolean> }> {
    const requestId = event.requestContext.requestId;
    const denied = (type: 'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_FAILURE' | 'AUTHORIZER_CONFIGURATION_ERROR', authorizerError?: string) => ({
      denied: gatewayResponse({ type, message: AUTHORIZER_MESSAGES[type] }, variables, { authorizerError }),
    });
    // Identity source: the Authorization header. Without it API Gateway answers 401 and never calls the authorizer.
    const identity = event.headers.Authorization ?? event.headers.authorization ?? Object.entries(event.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    if (!identity) return denied('UNAUTHORIZED', 'missing identity source');
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
        if (err instanceof Error && err.message === 'Unauthorized') return denied('UNAUTHORIZED', 'Unauthorized');
        return denied('AUTHORIZER_FAILURE', err instanceof Error ? err.name : 'error');
      }
      if (!result || typeof result.principalId !== 'string' || !result.policyDocument) return denied('AUTHORIZER_CONFIGURATION_ERROR', 'malformed authorizer response');
      if (options.authorizerCacheTtlSeconds > 0) authCache.set(identity, { result, expires: now + options.authorizerCacheTtlSeconds * 1000 });
    }
    if (!policyAllows(result, methodArn)) return denied('ACCESS_DENIED', 'policy denies');
    const context: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(result.context ?? {})) {
      // API Gateway passes only string, number and boolean context values; anything else fails the request.
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') context[k] = v;
      else if (v !== null && v !== undefined) return denied('AUTHORIZER_CONFIGURATION_ERROR');
    }
    return { principalId: result.principalId, context };
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

function send(res: ServerResponse, answer: { statusCode: number; headers: Record<string, string>; multiValueHeaders?: Record<string, string[]>; body: string; isBase64Encoded?: boolean }, variables: Variables): void {
  const headers: Record<string, string | string[]> = { ...answer.headers, ...(answer.multiValueHeaders ?? {}) };
  headers['x-amzn-RequestId'] = variables.context.requestId!;
  const body = answer.isBase64Encoded ? Buffer.from(answer.body, 'base64') : Buffer.from(answer.body, 'utf8');
  headers['Content-Length'] = String(body.length);
  try {
    res.writeHead(answer.statusCode, headers).end(body);
  } catch {
    // A handler produced an invalid header: API Gateway answers 502 for a malformed Lambda proxy response.
    if (!res.headersSent) {
      const failed = gatewayResponse(LAMBDA_FAILED, variables);
      res.writeHead(failed.statusCode, failed.headers).end(failed.body);
    }
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
  route: GatewayMethod;
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
      requestTime: clfTime(now),
      requestTimeEpoch: now,
      resourceId: route.path,
      resourcePath: route.path,
      stage,
    },
  };
}

/** `$context.requestTime`'s format: CLF, `dd/MMM/yyyy:HH:mm:ss +0000`. */
function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
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
