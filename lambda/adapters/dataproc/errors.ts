// Dataproc and transport failures mapped to our named errors. Errors from the Google client carry the request config,
// Authorization header included, so only chosen fields are read from them and none is kept as a cause.
import { BackendFailure, BackendRejected } from '../../core/errors.js';
import { GoogleCredentialsError } from '../google/credential-errors.js';

const BACKEND = 'dataproc';
const MAX_MESSAGE = 500;
/** Used when Google throttles without saying for how long. */
const DEFAULT_RETRY_AFTER_SECONDS = 10;

const TIMEOUT_CODES = new Set(['TimeoutError', 'AbortError', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Where a call failed: at Dataproc, or while getting the Google access token to call it with. */
type FailureSource = 'dataproc' | 'credentials';

export interface CallFacts {
  readonly source: FailureSource;
  readonly httpStatus?: number;
  /** Google's `error.status`, e.g. `ALREADY_EXISTS`. */
  readonly googleStatus?: string;
  /** The transport's error code, e.g. `ECONNRESET`. */
  readonly transportCode?: string;
  readonly retryAfterSeconds?: number;
  /** Credentials only: whether a later attempt may succeed. */
  readonly retryable?: boolean;
}

/** What is safe to know about a failed call: never headers, tokens or the request config. */
export class DataprocCallFailed extends Error {
  override readonly name = 'DataprocCallFailed';
  constructor(
    message: string,
    readonly facts: CallFacts,
  ) {
    super(message.slice(0, MAX_MESSAGE));
  }
}

type Loose = Record<string, unknown> | undefined;
const asObject = (v: unknown): Loose => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return asString(get.call(headers, name));
  return asString(asObject(headers)?.[name]);
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Find the transport error code on a gaxios/fetch error or anywhere down its cause chain. */
function transportCode(err: unknown): string | undefined {
  for (let e = asObject(err), depth = 0; e && depth < 5; e = asObject(e.cause), depth++) {
    const code = e.code;
    if (typeof code === 'string' && !/^\d+$/.test(code)) return code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
  }
  return undefined;
}

const isTransportTrouble = (code: string | undefined) => code !== undefined && (TIMEOUT_CODES.has(code) || RESET_CODES.has(code) || UNREACHABLE_CODES.has(code));

/**
 * Read the safe facts off whatever the Google client or the auth client threw. `dataprocOrigin` tells Dataproc's
 * answers from token endpoints' (a gaxios error of a token request names the token URL in its config).
 */
export function describeFailure(err: unknown, dataprocOrigin: string): DataprocCallFailed {
  if (err instanceof GoogleCredentialsError) {
    // Its message is scrubbed by the credential module.
    return new DataprocCallFailed(`no Google access token for ${err.serviceAccount} (${err.step}, ${err.code}): ${err.message}`, {
      source: 'credentials',
      retryable: err.retryable,
    });
  }
  const e = asObject(err);
  const response = asObject(e?.response);
  const config = asObject(e?.config);
  if (!config && !response) {
    // Not an HTTP failure: something in the auth client or the generated client threw before a request went out.
    return new DataprocCallFailed(`the Google client failed before sending (${asString(e?.name) ?? 'error'})`, { source: 'credentials', retryable: false });
  }
  const url = config?.url === undefined ? '' : String(config.url);
  const source: FailureSource = url && !url.startsWith(dataprocOrigin) ? 'credentials' : 'dataproc';
  const httpStatus = typeof response?.status === 'number' ? response.status : undefined;
  const googleError = asObject(asObject(response?.data)?.error);
  const googleStatus = asString(googleError?.status);
  const googleMessage = asString(googleError?.message);
  const code = httpStatus === undefined ? transportCode(err) : undefined;
  const what =
    httpStatus !== undefined
      ? `HTTP ${httpStatus}${googleStatus ? ` ${googleStatus}` : ''}${googleMessage ? `: ${googleMessage}` : ''}`
      : `no answer${code ? ` (${code})` : ''}`;
  return new DataprocCallFailed(`${source === 'credentials' ? 'getting a Google access token: ' : ''}${what}`, {
    source,
    ...(httpStatus !== undefined && { httpStatus }),
    ...(googleStatus !== undefined && { googleStatus }),
    ...(code !== undefined && { transportCode: code }),
    ...(source === 'credentials' && { retryable: (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) || isTransportTrouble(code) }),
    ...(parseRetryAfter(header(response?.headers, 'retry-after')) !== undefined && { retryAfterSeconds: parseRetryAfter(header(response?.headers, 'retry-after')) }),
  });
}

/**
 * Our own Google credentials failing → 503 when it may pass, else 502, code CREDENTIALS (never the caller's fault).
 * Dataproc's answers: 429/RESOURCE_EXHAUSTED → 503 with Retry-After; 5xx/UNAVAILABLE → 503; timeouts,
 * DEADLINE_EXCEEDED and resets → 504; 401/403 (our credentials, not the caller's request) → 502; any other 4xx →
 * BackendRejected with Google's status.
 */
export function toBackendError(failure: DataprocCallFailed, action: string): BackendFailure | BackendRejected {
  const { source, httpStatus, googleStatus, transportCode: code, retryAfterSeconds, retryable } = failure.facts;
  const message = `Dataproc ${action} failed: ${failure.message}`;
  const options = { cause: failure };
  if (source === 'credentials') return new BackendFailure(BACKEND, retryable ? 503 : 502, 'CREDENTIALS', message, options);
  if (httpStatus === undefined) {
    if (code && TIMEOUT_CODES.has(code)) return new BackendFailure(BACKEND, 504, 'DEADLINE_EXCEEDED', message, options);
    if (code && RESET_CODES.has(code)) return new BackendFailure(BACKEND, 504, code, message, options);
    if (code && UNREACHABLE_CODES.has(code)) return new BackendFailure(BACKEND, 503, code, message, options);
    return new BackendFailure(BACKEND, 502, code ?? 'UNKNOWN', message, options);
  }
  if (httpStatus === 429 || googleStatus === 'RESOURCE_EXHAUSTED') {
    return new BackendFailure(BACKEND, 503, googleStatus ?? 'RESOURCE_EXHAUSTED', message, {
      ...options,
      retryAfterSeconds: retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    });
  }
  if (httpStatus === 504 || googleStatus === 'DEADLINE_EXCEEDED') return new BackendFailure(BACKEND, 504, googleStatus ?? 'DEADLINE_EXCEEDED', message, options);
  if (httpStatus >= 500 || googleStatus === 'UNAVAILABLE') {
    return new BackendFailure(BACKEND, 503, googleStatus ?? `HTTP_${httpStatus}`, message, {
      ...options,
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    });
  }
  if (httpStatus === 401 || httpStatus === 403) return new BackendFailure(BACKEND, 502, googleStatus ?? `HTTP_${httpStatus}`, message, options);
  return new BackendRejected(BACKEND, googleStatus ?? `HTTP_${httpStatus}`, message, options);
}

/** Worth another attempt: throttling, unavailability, timeouts and resets (our calls are idempotent). */
export const isTransient = (err: BackendFailure | BackendRejected): err is BackendFailure =>
  err instanceof BackendFailure && (err.status === 503 || err.status === 504);
