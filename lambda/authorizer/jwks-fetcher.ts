// Where issuer documents (OpenID discovery and JWKS) come from. Deployed: https only. Local mode: the local identity
// provider speaks plain http on loopback, so that (and only that) may be allowed. One code path fetches both, with the
// same timeout, size cap and no redirects, so a slow or huge answer costs the authorizer a bounded amount.
import { isIP } from 'node:net';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';

export interface JwksFetcherOptions {
  /**
   * Allow `http://` to loopback hosts (localhost, 127.0.0.0/8, ::1). Only local mode sets this.
   * @default false
   */
  readonly allowLoopbackHttp?: boolean;
  /** For the whole request, body included. @default 3000 */
  readonly timeoutMs?: number;
  /** A document larger than this is refused, whether it says so up front or not. @default 262144 */
  readonly maxBytes?: number;
}

/** True for hosts that can only be this machine: a document served there cannot be tampered with on the network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}

export function createJwksFetcher(options: JwksFetcherOptions = {}): Fetcher {
  return new BoundedFetcher(options);
}

class BoundedFetcher implements Fetcher {
  private readonly allowLoopbackHttp: boolean;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(options: JwksFetcherOptions) {
    this.allowLoopbackHttp = options.allowLoopbackHttp ?? false;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
  }

  async fetch(uri: string): Promise<ArrayBuffer> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch (err) {
      throw new NonRetryableFetchError(uri, `not a URL: ${(err as Error).message}`);
    }
    if (url.protocol === 'http:') {
      if (!this.allowLoopbackHttp) throw new NonRetryableFetchError(uri, 'plain http is refused: issuer documents must be fetched over https');
      if (!isLoopbackHost(url.hostname)) throw new NonRetryableFetchError(uri, 'plain http is only allowed to loopback hosts');
    } else if (url.protocol !== 'https:') {
      throw new NonRetryableFetchError(uri, `unsupported protocol ${url.protocol}`);
    }
    try {
      return await this.fetchOnce(url);
    } catch (err) {
      if (err instanceof NonRetryableFetchError) throw err;
      // one immediate retry for a dropped connection, as aws-jwt-verify's own fetcher does
      return this.fetchOnce(url);
    }
  }

  private async fetchOnce(url: URL): Promise<ArrayBuffer> {
    let response: Response;
    try {
      // no redirects: an https or loopback URL must not bounce us somewhere else
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      throw new FetchError(url.href, `request failed: ${(err as Error).message}`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(url.href, `Status code is ${response.status}, expected 200`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > this.maxBytes) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(url.href, `a document of ${declared} bytes is larger than the ${this.maxBytes}-byte limit`);
    }
    return this.readCapped(url, response);
  }

  /** Reads the body, giving up as soon as it passes the cap (a server may send more than it declared, or declare nothing). */
  private async readCapped(url: URL, response: Response): Promise<ArrayBuffer> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.byteLength;
        if (size > this.maxBytes) {
          await response.body?.cancel().catch(() => undefined);
          throw new NonRetryableFetchError(url.href, `the document grew larger than the ${this.maxBytes}-byte limit while it was read`);
        }
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof NonRetryableFetchError) throw err;
      throw new FetchError(url.href, `reading the answer failed: ${(err as Error).message}`);
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.byteLength;
    }
    return body.buffer;
  }
}
