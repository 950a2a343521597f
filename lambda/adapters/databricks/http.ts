// One Databricks REST call with bounded retries: full-jitter backoff on 429/5xx/network errors, Retry-After honoured,
// one credential re-read after a 401, and errors mapped to BackendFailure/BackendRejected without any token in them.
import { redactCredentials } from '../../../contract/credentials.js';
import { BackendFailure, BackendRejected } from '../../core/errors.js';
import { DatabricksCredentialsError, type DatabricksTokenSource } from './credentials.js';

export interface DatabricksHttpProps {
  /** Workspace URL, e.g. https://dbc-1234.cloud.databricks.com (or an emulator on loopback). */
  readonly host: string;
  readonly credentials: DatabricksTokenSource;
  /** Retries after the first attempt. @default 4 */
  readonly maxRetries?: number;
  /** @default global fetch */
  readonly fetch?: typeof fetch;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Per attempt. @default 10 000 */
  readonly timeoutMs?: number;
  /** For the jitter. @default Math.random */
  readonly random?: () => number;
  /** First backoff ceiling; doubles per retry. @default 250 */
  readonly baseDelayMs?: number;
  /** Longest single wait; a Retry-After beyond it ends the retries (the caller gets it back). @default 10 000 */
  readonly maxDelayMs?: number;
  /** Most time one call may spend waiting between attempts, so retries end well inside a 29 s Lambda. @default 15 000 */
  readonly maxTotalDelayMs?: number;
}

export interface DatabricksResponse {
  readonly status: number;
  /** The raw body: run ids are int64, so callers read them from the text rather than through JSON numbers. */
  readonly text: string;
  readonly json: unknown;
}

const BACKEND = 'databricks';
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class DatabricksHttpClient {
  private readonly host: string;
  private readonly maxRetries: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxTotalDelayMs: number;

  constructor(private readonly props: DatabricksHttpProps) {
    this.host = props.host.replace(/\/+$/, '');
    this.maxRetries = props.maxRetries ?? 4;
    this.fetch = props.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = props.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.timeoutMs = props.timeoutMs ?? 10_000;
    this.random = props.random ?? Math.random;
    this.baseDelayMs = props.baseDelayMs ?? 250;
    this.maxDelayMs = props.maxDelayMs ?? 10_000;
    this.maxTotalDelayMs = props.maxTotalDelayMs ?? 15_000;
  }

  url(path: string, query?: Record<string, string>): string {
    const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
    return `${this.host}${path}${qs}`;
  }

  async request(method: 'GET' | 'POST' | 'DELETE', path: string, options: { query?: Record<string, string>; body?: string } = {}): Promise<DatabricksResponse> {
    const url = this.url(path, options.query);
    const what = `${method} ${path}`;
    let retries = 0;
    let waited = 0;
    let reread = false;
    let token = '';
    // Sleeps before the next attempt when the retry bound and the wait budget allow it; false means give up.
    const retryAfter = async (delayMs: number): Promise<boolean> => {
      if (retries >= this.maxRetries || delayMs > this.maxDelayMs || waited + delayMs > this.maxTotalDelayMs) return false;
      retries++;
      waited += delayMs;
      await this.sleep(delayMs);
      return true;
    };
    for (;;) {
      try {
        token = await this.props.credentials.token();
      } catch (err) {
        const retryable = err instanceof DatabricksCredentialsError ? err.retryable : false;
        if (retryable && (await retryAfter(this.backoff(retries)))) continue;
        const code = err instanceof DatabricksCredentialsError ? err.code : 'CREDENTIALS_UNAVAILABLE';
        const detail = err instanceof DatabricksCredentialsError ? err.message : 'the credential source failed';
        throw new BackendFailure(BACKEND, retryable ? 503 : 502, code, `no Databricks credentials for ${what}: ${detail}`, { cause: err });
      }

      let res: Response;
      let text: string;
      try {
        res = await this.fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: options.body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        // Safe to repeat: reads are reads, cancel is idempotent, submit carries an idempotency_token.
        if (await retryAfter(this.backoff(retries))) continue;
        const timedOut = (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError';
        throw new BackendFailure(
          BACKEND,
          timedOut ? 504 : 503,
          timedOut ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE',
          `Databricks ${what} ${timedOut ? `timed out after ${this.timeoutMs} ms` : 'could not be reached'} (${retries + 1} attempts)`,
          { cause: err },
        );
      }

      if (res.ok) {
        const json = parseJson(text);
        if (json === undefined) throw new BackendFailure(BACKEND, 502, 'INVALID_RESPONSE', `Databricks ${what} answered ${res.status} without a JSON body`);
        return { status: res.status, text, json };
      }

      const error = readError(text, res.status, token);
      // A rotated or revoked token: read the secret again, once per call. Older workspaces say 403 "Invalid access token".
      const authFailure = res.status === 401 || (res.status === 403 && /invalid access token/i.test(error.message));
      if (authFailure && !reread) {
        reread = true;
        this.props.credentials.invalidate();
        continue;
      }
      if (RETRYABLE.has(res.status)) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
        if (await retryAfter(retryAfterMs ?? this.backoff(retries))) continue;
        const status = res.status === 429 || res.status === 503 ? 503 : res.status === 504 ? 504 : 502;
        throw new BackendFailure(BACKEND, status, error.code, `Databricks ${what} answered ${res.status} ${error.code} after ${retries + 1} attempts: ${error.message}`, {
          retryAfterSeconds: retryAfterMs !== undefined ? retryAfterMs / 1000 : undefined,
        });
      }
      if (authFailure || res.status === 403) {
        throw new BackendFailure(BACKEND, 502, error.code, `Databricks refused the gateway's credentials for ${what} (${res.status} ${error.code}): ${error.message}`);
      }
      throw new BackendRejected(BACKEND, error.code, `Databricks ${what} answered ${res.status} ${error.code}: ${error.message}`);
    }
  }

  /** Full jitter: uniform in [0, min(max, base·2^retry)). */
  private backoff(retry: number): number {
    return Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** retry));
  }
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Databricks' `{error_code, message}`; some legacy endpoints put the HTTP status number in error_code. */
function readError(text: string, status: number, token: string): { code: string; message: string } {
  const body = parseJson(text) as { error_code?: unknown; message?: unknown } | undefined;
  const code = typeof body?.error_code === 'string' && /^[A-Z0-9_]{1,64}$/.test(body.error_code) ? body.error_code : `HTTP_${status}`;
  const message = typeof body?.message === 'string' ? body.message : 'no error message';
  return { code, message: redact(message, token) };
}

/** Whatever Databricks says goes to callers and logs: strip anything that looks like a credential, and bound its length. */
function redact(text: string, ...secrets: string[]): string {
  return redactCredentials(text, secrets.filter((s) => s.length >= 4)).slice(0, 500);
}

function parseJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
