// Request parsing and the two error dialects Google's token endpoints speak: OAuth 2.0 (STS, oauth2) and Google API JSON (IAM).
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A form body as a plain record; the last value wins for repeated fields. */
export function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

export function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** RFC 6749 §5.2 error body, as sts.googleapis.com and oauth2.googleapis.com answer. */
export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
  body(): OAuthErrorBody {
    return { error: this.code, error_description: this.message };
  }
}

/** Canonical google.rpc codes used by IAM and IAM Credentials, with their HTTP status. */
const RPC_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type RpcStatus = keyof typeof RPC_STATUS;

/** Google API error body `{error: {code, message, status}}`. */
export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  readonly code: number;
  constructor(
    readonly status: RpcStatus,
    message: string,
  ) {
    super(message);
    this.code = RPC_STATUS[status];
  }
  body(): { error: { code: number; message: string; status: RpcStatus } } {
    return { error: { code: this.code, message: this.message, status: this.status } };
  }
}

/** Body for an injected fault, in the dialect of the route it hit. */
export function faultBody(dialect: 'oauth' | 'google', status: number): unknown {
  const rpc: RpcStatus = status === 429 ? 'RESOURCE_EXHAUSTED' : status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
  if (dialect === 'oauth') {
    return { error: status === 503 || status === 429 ? 'temporarily_unavailable' : 'server_error', error_description: `injected fault ${status}` };
  }
  return new GoogleApiError(rpc, `injected fault ${status}`).body();
}
