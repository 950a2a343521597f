// A Databricks workspace on 127.0.0.1: Jobs API 2.2 (and its 2.1 aliases), Token API 2.0, SCIM Me, OAuth M2M and the
// service principal secrets proxy API (databricks/service-principals.ts).
//
// Emulator rules (deterministic, so tests can rely on them):
// - A run spends one `stepMs` in each of PENDING → RUNNING → TERMINATING, then is TERMINATED; with `queue: {enabled: true}`
//   it first spends one step QUEUED. States are computed from the clock when asked, so a ManualClock drives them.
// - A run whose request (or whose job's settings) contains `EMULATOR_FAIL` anywhere ends TERMINATED/FAILED
//   (status.termination_details.code RUN_EXECUTION_ERROR); every other run ends TERMINATED/SUCCESS.
// - runs/cancel on a QUEUED, PENDING or RUNNING run: one step TERMINATING, then TERMINATED/CANCELED (USER_CANCELED).
// - The same idempotency_token returns the same run_id (runs/submit: per workspace; run-now: per job).
// - runs/get-output answers for task runs only; a script task's logs grow while it runs (run-output.ts).
// - Unknown, revoked or expired bearer tokens get 401 {"error_code":"UNAUTHENTICATED","message":"Invalid access token."}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, NO_FAULTS, systemClock, type Clock, type FaultSettings } from './faults.js';
import { DatabricksApiError, endpointNotFound, faultBody, malformedRequest, unauthenticated } from './databricks/api-error.js';
import { parseListQuery, parseRunNow, parseSubmit, runIdFrom } from './databricks/requests.js';
import { taskOutput } from './databricks/run-output.js';
import { JobRegistry, RunStore, type EmulatedRun, type JobSettings } from './databricks/runs.js';
import { ServicePrincipals, type EmulatedSecret, type OAuthClient } from './databricks/service-principals.js';
import { TokenStore, type InitialToken, type TokenRecord } from './databricks/tokens.js';

;
;
;

export interface DatabricksEmulatorOptions {
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** Time a run spends in each state. Default 1000. */
  readonly stepMs?: number;
  readonly clock?: Clock;
  readonly faults?: FaultSettings;
  /** The fault injector's dice, for deterministic fault tests. @default Math.random */
  readonly faultRandom?: () => number;
  /** Personal access tokens that exist at start. */
  readonly initialTokens?: readonly InitialToken[];
  /** Service principals, each with one OAuth secret, for OAuth M2M at /oidc/v1/token and the secrets API. */
  readonly oauthClients?: readonly OAuthClient[];
  /** Existing jobs, for run-now. */
  readonly jobs?: readonly { job_id?: number; settings: JobSettings }[];
  /** Lifetime of OAuth access tokens. Default 3600. */
  readonly oauthTokenLifetimeSeconds?: number;
  /** The `?o=` workspace id in run_page_url. */
  readonly workspaceId?: string;
}

/** One HTTP call as the emulator saw it, with the credential that made it (never its value). */
interface EmulatorCall {
  readonly method: string;
  readonly path: string;
  /** Set when the bearer token was valid. */
  tokenId?: string;
  tokenKind?: 'pat' | 'oauth';
  /** Final HTTP status; 0 when the connection was dropped. */
  status: number;
}

export interface DatabricksEmulator {
  readonly url: string;
  readonly faults: FaultInjector;
  close(): Promise<void>;
  /** Every run, with the Run object runs/get answers now. */
  runs(): EmulatedRun[];
  /** Every credential ever known, revoked and expired ones included. */
  tokens(): TokenRecord[];
  /** Every service principal OAuth secret ever created, deleted ones included. */
  servicePrincipalSecrets(): EmulatedSecret[];
  /** The numeric id of the service principal with this application (client) id. */
  servicePrincipalId(clientId: string): string | undefined;
  readonly jobs: JobRegistry;
  calls(): EmulatorCall[];
  /** Answer the next `count` calls (default 1) with this status before any work, with Retry-After for 429/503. */
  failNext(status: 429 | 500 | 503, options?: { count?: number; retryAfterSeconds?: number }): void;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

type Handler = (ctx: { caller: TokenRecord; body: Record<string, unknown>; query: URLSearchParams }) => unknown;

export async function startDatabricksEmulator(options: DatabricksEmulatorOptions = {}): Promise<DatabricksEmulator> {
  const clock = options.clock ?? systemClock;
  const stepMs = options.stepMs ?? 1000;
  const faults = new FaultInjector({ ...(options.faults ?? NO_FAULTS) }, options.faultRandom);
  const principals = new ServicePrincipals(clock, options.oauthClients ?? []);
  const tokens = new TokenStore(clock, options.oauthTokenLifetimeSeconds ?? 3600);
  for (const t of options.initialTokens ?? []) tokens.addInitial(t);
  const jobs = new JobRegistry();
  for (const j of options.jobs ?? []) jobs.add(j);
  const workspaceId = options.workspaceId ?? '1234567890123456';
  let baseUrl = '';
  const runs = new RunStore(clock, stepMs, jobs, (jobId, runId) => `${baseUrl}/?o=${workspaceId}#job/${jobId}/run/${runId}`);
  const calls: EmulatorCall[] = [];
  const scripted: { status: number; retryAfterSeconds?: number }[] = [];

  const jobsRoutes: Record<string, Handler> = {
    'POST /jobs/runs/submit': ({ caller, body }) => runs.submit(parseSubmit(body), { userName: caller.userName, tokenId: caller.tokenId }),
    'POST /jobs/run-now': ({ caller, body }) => runs.runNow(parseRunNow(body), { userName: caller.userName, tokenId: caller.tokenId }),
    'GET /jobs/runs/get': ({ query }) => runs.get(runIdFrom(query.get('run_id'))),
    'POST /jobs/runs/cancel': ({ body }) => runs.cancel(runIdFrom(body.run_id)),
    'GET /jobs/runs/list': ({ query }) => runs.list(parseListQuery(query)),
    'GET /jobs/runs/get-output': ({ query }) => {
      const { moment, metadata } = runs.taskRun(runIdFrom(query.get('run_id')));
      return taskOutput(moment, metadata);
    },
  };
  const routes = new Map<string, Handler>();
  for (const [key, handler] of Object.entries(jobsRoutes)) {
    const [method, path] = key.split(' ') as [string, string];
    routes.set(`${method} /api/2.2${path}`, handler);
    routes.set(`${method} /api/2.1${path}`, handler);
  }
  routes.set('POST /api/2.0/token/create', ({ caller, body }) => tokens.create(caller, body));
  routes.set('GET /api/2.0/token/list', ({ caller }) => tokens.list(caller));
  routes.set('POST /api/2.0/token/delete', ({ caller, body }) => tokens.delete(caller, body));
  routes.set('GET /api/2.0/preview/scim/v2/Me', ({ caller }) => scimMe(caller));
  const secretsPath = /^\/api\/2\.0\/accounts\/servicePrincipals\/([^/]+)\/credentials\/secrets(?:\/([^/]+))?$/;
  const secretsRoute = (method: string, path: string): Handler | undefined => {
    const m = secretsPath.exec(path);
    if (!m) return undefined;
    const [spId, secretId] = [decodeURIComponent(m[1]!), m[2] === undefined ? undefined : decodeURIComponent(m[2])];
    if (method === 'POST' && secretId === undefined) return ({ caller, body }) => principals.create(caller, spId, body);
    if (method === 'GET' && secretId === undefined) return ({ caller, query }) => principals.list(caller, spId, query);
    if (method === 'DELETE' && secretId !== undefined) return ({ caller }) => principals.delete(caller, spId, secretId);
    return undefined;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const call: EmulatorCall = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
    calls.push(call);
    res.on('finish', () => (call.status = res.statusCode));
    handle(req, res, url, call).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, 500, { error_code: 'INTERNAL_ERROR', message: (err as Error).message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, call: EmulatorCall): Promise<void> {
    const next = scripted.shift();
    if (next) {
      const headers: Record<string, string> = {};
      if (next.status !== 500) headers['retry-after'] = String(next.retryAfterSeconds ?? 1);
      return send(res, next.status, faultBody(next.status), headers);
    }
    const fault = await faults.intercept(req, res, faultBody);
    if (fault.handled) return;
    const reply = (status: number, body: unknown) => {
      // A reset after the work: the change happened, the caller never hears of it.
      if (fault.dropAfterWork) req.socket.destroy();
      else send(res, status, body);
    };
    const key = `${req.method} ${url.pathname}`;
    const handler = routes.get(key) ?? secretsRoute(req.method ?? 'GET', url.pathname);
    try {
      if (key === 'POST /oidc/v1/token') return await oauthToken(req, reply);
      if (!handler) throw endpointNotFound(req.method ?? 'GET', url.pathname);
      const caller = authenticate(req);
      call.tokenId = caller.tokenId;
      call.tokenKind = caller.kind;
      const body = req.method === 'POST' || req.method === 'DELETE' ? await readJsonObject(req) : {};
      reply(200, handler({ caller, body, query: url.searchParams }));
    } catch (err) {
      if (err instanceof DatabricksApiError) return reply(err.status, err.body());
      throw err;
    }
  }

  function authenticate(req: IncomingMessage): TokenRecord {
    const header = req.headers.authorization;
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) throw unauthenticated('Credential was not sent or was of an unsupported type for this API.');
    const t = tokens.authenticate(match[1]!);
    if (!t) throw unauthenticated();
    return t;
  }

  async function oauthToken(req: IncomingMessage, reply: (status: number, body: unknown) => void): Promise<void> {
    const form = new URLSearchParams(await readText(req));
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    const scope = form.get('scope') ?? '';
    if (!scope.split(' ').includes('all-apis')) return reply(400, { error: 'invalid_scope', error_description: 'scope must include all-apis' });
    const sp = principals.authenticate(clientId, clientSecret);
    if (!sp) return reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    const issued = tokens.issueOAuth(sp);
    reply(200, { access_token: issued.record.value, token_type: 'Bearer', expires_in: issued.expiresIn, scope: 'all-apis' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    faults,
    jobs,
    runs: () => runs.snapshot(),
    tokens: () => tokens.snapshot(),
    servicePrincipalSecrets: () => principals.snapshot(),
    servicePrincipalId: (clientId) => principals.byApplicationId(clientId)?.id,
    calls: () => calls.map((c) => ({ ...c })),
    failNext(status, opts = {}) {
      for (let i = 0; i < (opts.count ?? 1); i++) scripted.push({ status, retryAfterSeconds: opts.retryAfterSeconds });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new DatabricksApiError(400, 'INVALID_PARAMETER_VALUE', 'The request body exceeds the 10 MB limit');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformedRequest('Invalid JSON given in the body of the request - failed to parse given JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformedRequest('Invalid JSON given in the body of the request - expected a map');
  }
  return parsed as Record<string, unknown>;
}

/** SCIM `Me`: the cheap read-only call credential tests use. */
function scimMe(caller: TokenRecord) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    // a service principal's token answers with the principal's own SCIM id
    id: caller.principalId ?? caller.tokenId.slice(0, 16),
    userName: caller.userName,
    displayName: caller.userName,
    active: true,
    emails: caller.kind === 'pat' ? [{ type: 'work', value: caller.userName, primary: true }] : [],
  };
}
