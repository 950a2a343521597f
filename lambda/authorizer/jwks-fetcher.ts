// Where JWKS come from. Deployed: https only, through aws-jwt-verify's own fetcher.
// Local mode: the local identity provider speaks plain http on loopback, so that (and only that) may be allowed.
import { isIP } from 'node:net';
import { NonRetryableFetchError } from 'aws-jwt-verify/error';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';

export interface JwksFetcherOptions {
  /**
   * Allow `http://` to loopback hosts (localhost, 127.0.0.0/8, ::1). Only local mode sets this.
   * @default false
   */
  readonly allowLoopbackHttp?: boolean;
  /** @default 3000 */
  readonly timeoutMs?: number;
  /** A JWKS larger than this is refused. @default 262144 */
  readonly maxBytes?: number;
}

/** True for hosts that can only be this machine: a JWKS served there cannot be tampered with on the network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}

export function createJwksFetcher(options: JwksFetcherOptions = {}): Fetcher {
  return new LoopbackAwareFetcher(options);
}

class LoopbackAwareFetcher implements Fetcher {
  private readonly https = new SimpleFetcher();
  private readonly allowLoopbackHttp: boolean;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(options: JwksFetcherOptions) {
    this.allowLoopbackHttp = options.allowLoopbackHttp ?? false;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
  }

  async fetch(uri: string, requestOptions?: Record<string, unknown>, data?: ArrayBuffer): Promise<ArrayBuffer> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch (err) {
      throw new NonRetryableFetchError(uri, `not a URL: ${(err as Error).message}`);
    }
    if (url.protocol === 'https:') return this.https.fetch(uri, requestOptions, data);
    if (url.protocol !== 'http:') throw new NonRetryableFetchError(uri, `unsupported protocol ${url.protocol}`);
    if (!this.allowLoopbackHttp) throw new NonRetryableFetchError(uri, 'plain http is refused: JWKS must be fetched over https');
    if (!isLoopbackHost(url.hostname)) throw new NonRetryableFetchError(uri, 'plain http is only allowed to loopback hosts');
    return this.fetchLoopback(url);
  }

  private async fetchLoopback(url: URL): Promise<ArrayBuffer> {
    let response: Response;
    try {
      // no redirects: a loopback URL must not bounce us to a non-loopback one over http
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      throw new NonRetryableFetchError(url.href, `request failed: ${(err as Error).message}`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(url.href, `Status code is ${response.status}, expected 200`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > this.maxBytes) {
      await response.body?.cancel();
      throw new NonRetryableFetchError(url.href, `JWKS of ${declared} bytes is larger than ${this.maxBytes}`);
    }
    const body = await response.arrayBuffer();
    if (body.byteLength > this.maxBytes) throw new NonRetryableFetchError(url.href, `JWKS of ${body.byteLength} bytes is larger than ${this.maxBytes}`);
    return body;
  }
}
