// Calls to the gateway: the bearer token, a renewal after a 401, bounded retries of calls that are safe to repeat,
// and RFC 9457 problems turned into errors that print the problem's title, detail, field errors and request id.
import type { RouteCall } from './api-routes.js';
import type { TokenSource } from './auth/credentials.js';
import { AuthError, CliError, EXIT } from './errors.js';
import { sleepOf, type CliIo } from './io.js';

const PER_REQUEST_TIMEOUT_MS = 30_000;
const RETRIES = 2;
const MAX_RETRY_WAIT_MS = 30_000;
/** Statuses that say "later": throttled, unavailable, timed out. A 502 may be a definite refusal and is not retried. */
const TRANSIENT = new Set([429, 503, 504]);

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly requestId?: string;
  readonly errors?: readonly { readonly pointer: string; readonly detail: string }[];
  readonly [extension: string]: unknown;
}

/** The gateway answered with a problem; its exit code follows from the status and the problem type. */
export class ApiProblem extends CliError {
  override readonly name = 'ApiProblem';
  constructor(readonly problem: Problem) {
    super(`${problem.title ?? `HTTP ${problem.status}`}${problem.detail ? `: ${problem.detail}` : ''}`, exitCodeFor(problem));
  }
  get type(): string {
    return (this.problem.type ?? '').split('/').pop() ?? '';
  }
}

export function exitCodeFor(problem: Pick<Problem, 'status' | 'type'>): number {
  const type = (problem.type ?? '').split('/').pop();
  if (problem.status === 401 || problem.status === 403) return EXIT.auth;
  if (problem.status === 404) return EXIT.notFound;
  if (problem.status === 409) return type === 'idempotency-key-reused' ? EXIT.usage : EXIT.gateway;
  if (problem.status >= 400 && problem.status < 500 && problem.status !== 429) return EXIT.usage;
  return EXIT.gateway;
}

/** A problem as people read it: title and status, detail, one line per field error, the request id to quote. */
export function describeProblem(problem: Problem): string {
  const lines = [`${problem.title ?? 'Request failed'} (HTTP ${problem.status})${problem.detail ? `: ${problem.detail}` : ''}`];
  for (const e of problem.errors ?? []) lines.push(`  ${e.pointer}: ${e.detail}`);
  if (typeof problem.backendCode === 'string') lines.push(`  backend: ${String(problem.backend ?? '')} ${problem.backendCode}`);
  if (problem.requestId) lines.push(`  request id: ${problem.requestId}`);
  return lines.join('\n');
}

export interface CallOptions {
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Safe to send again after a failure that may have happened after the gateway acted (reads, idempotent writes). */
  readonly retryable?: boolean;
  /** Not stopped by Ctrl-C: the cancel that --cancel-on-interrupt sends after it. */
  readonly uninterruptible?: boolean;
}

/** Ctrl-C stopped a call in flight (exit 130). */
export class Interrupted extends CliError {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted', EXIT.interrupted);
  }
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export class GatewayClient {
  private readonly base: URL;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    baseUrl: string,
    private readonly tokens: TokenSource,
    private readonly io: CliIo,
    private readonly userAgent: string,
  ) {
    // keep a base path (an execute-api stage such as /v1): routes are appended to it
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.sleep = sleepOf(io);
  }

  async call<T>(route: RouteCall, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(route.path.slice(1), this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const retryable = options.retryable ?? route.method === 'GET';
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: route.method,
          headers: {
            authorization: `Bearer ${await this.tokens.token()}`,
            accept: 'application/json, application/problem+json',
            'user-agent': this.userAgent,
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...options.headers,
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: options.uninterruptible || !this.io.signal ? AbortSignal.timeout(PER_REQUEST_TIMEOUT_MS) : AbortSignal.any([AbortSignal.timeout(PER_REQUEST_TIMEOUT_MS), this.io.signal]),
        });
      } catch (err) {
        if (err instanceof CliError) throw err;
        if (this.io.signal?.aborted && !options.uninterruptible) throw new Interrupted();
        if (retryable && attempt < RETRIES && (options.uninterruptible || !this.io.signal?.aborted)) {
          await this.sleep(backoff(attempt));
          continue;
        }
        const reason = (err as { cause?: { code?: string; message?: string } }).cause?.code ?? (err as Error).name;
        throw new CliError(`cannot reach the gateway at ${this.base.origin}: ${reason}`, EXIT.gateway, { cause: err });
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        if (this.io.signal?.aborted && !options.uninterruptible) throw new Interrupted();
        throw new CliError(`the gateway at ${this.base.origin} broke off its answer: ${(err as Error).name}`, EXIT.gateway, { cause: err });
      }
      if (res.ok) return { status: res.status, headers: res.headers, body: parse(text) as T };
      if (res.status === 401 && !renewed) {
        renewed = true;
        // an expired or revoked token: renew once (refresh, or re-run DJG_TOKEN_COMMAND), then try again
        if (await this.tokens.renew().catch(() => false)) continue;
      }
      const retryAfter = retryAfterMs(res.headers.get('retry-after'));
      if (retryable && TRANSIENT.has(res.status) && attempt < RETRIES && (retryAfter ?? 0) <= MAX_RETRY_WAIT_MS && !this.io.signal?.aborted) {
        await this.sleep(retryAfter ?? backoff(attempt));
        continue;
      }
      const problem = toProblem(res.status, text);
      if (res.status === 401) throw new AuthError(`${describeProblem(problem)}\n  ${this.tokens.kind === 'login' ? 'log in again: djg login' : 'the token was refused; get a new one'}`);
      throw new ApiProblem(problem);
    }
  }
}

const backoff = (attempt: number) => Math.min(8_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The answer as a problem: RFC 9457 when it is one, else its status and the start of its text. */
function toProblem(status: number, text: string): Problem {
  const body = parse(text);
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    // API Gateway answers some refusals with {"message": "..."} when a gateway response is not problem+json
    if (typeof b.title === 'string' || typeof b.type === 'string') return { ...b, status: typeof b.status === 'number' ? b.status : status } as Problem;
    if (typeof b.message === 'string') return { status, title: `HTTP ${status}`, detail: b.message };
  }
  return { status, title: `HTTP ${status}`, ...(typeof body === 'string' && body.trim() ? { detail: body.trim().slice(0, 200) } : {}) };
}
