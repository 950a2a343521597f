// A Dataproc workload's driver output, read through the Cloud Storage JSON API: the numbered objects next to the
// output URI (`driveroutput.000000000`, `.000000001`, ...; https://cloud.google.com/dataproc/docs/guides/dataproc-job-output)
// are one stream, so a byte offset into their concatenation stays valid while the driver writes more.
import type { AuthClient } from 'google-auth-library';
import type { OutputChunk, OutputRead } from '../../core/backend.js';
import { BackendFailure, BackendRejected } from '../../core/errors.js';
import { utf8Prefix } from '../../core/output-text.js';
import { describeFailure, isTransient, toBackendError } from './errors.js';

const DEFAULT_STORAGE_ENDPOINT = 'https://storage.googleapis.com';
/** A driver that wrote more objects than this is not listed further (a thousand per page). */
const MAX_LIST_PAGES = 20;

export interface DriverOutputReaderProps {
  /** Root URL of the Cloud Storage JSON API; only its origin counts. @default 'https://storage.googleapis.com' */
  readonly storageEndpoint?: string;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxDelayMs: number;
  readonly timeoutMs: number;
}

interface OutputObject {
  readonly name: string;
  readonly size: number;
}

export class DriverOutputReader {
  private readonly root: string;

  constructor(private readonly props: DriverOutputReaderProps) {
    this.root = new URL(props.storageEndpoint ?? DEFAULT_STORAGE_ENDPOINT).origin;
  }

  /** `uri` is `gs://bucket/path/driveroutput`; reads `[offset, offset + limit)` of the objects' concatenation. */
  async read(uri: string, read: OutputRead, auth: AuthClient): Promise<OutputChunk> {
    const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match) throw new BackendFailure('dataproc', 502, 'INVALID_RESPONSE', `Dataproc named a driver output location that is not a gs:// URI: ${uri.slice(0, 200)}`);
    const [, bucket, path] = match as unknown as [string, string, string];
    const objects = await this.list(bucket, path, auth);
    const total = objects.reduce((sum, o) => sum + o.size, 0);
    if (read.offset >= total) return { text: '', nextOffset: read.offset, atEnd: true };

    const parts: Uint8Array[] = [];
    let position = read.offset;
    let remaining = read.limit;
    let start = 0;
    for (const object of objects) {
      const end = start + object.size;
      if (remaining > 0 && position >= start && position < end) {
        const first = position - start;
        const last = Math.min(object.size - 1, first + remaining - 1);
        const bytes = await this.download(bucket, object.name, first, last, auth);
        parts.push(bytes);
        position += bytes.length;
        remaining -= bytes.length;
        // Fewer bytes than listed: the object changed since the listing; the next read picks up from here.
        if (bytes.length < last - first + 1) break;
      }
      start = end;
    }
    const bytes = Buffer.concat(parts);
    const reachedEnd = position >= total;
    // A character cut at the end waits for the next read, unless it is all there is left to read.
    let chunk = utf8Prefix(bytes, false);
    if (chunk.length === 0 && reachedEnd) chunk = utf8Prefix(bytes, true);
    const nextOffset = read.offset + chunk.length;
    return { text: chunk.text, nextOffset, atEnd: nextOffset >= total };
  }

  /** The output's objects in order: only `<path>.NNNNNNNNN` names count. */
  private async list(bucket: string, path: string, auth: AuthClient): Promise<OutputObject[]> {
    const objects: OutputObject[] = [];
    const url = `${this.root}/storage/v1/b/${encodeURIComponent(bucket)}/o`;
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const listing = await this.call<{ items?: { name?: string; size?: string }[]; nextPageToken?: string }>('storage.objects.list', auth, {
        url,
        params: { prefix: `${path}.`, fields: 'items(name,size),nextPageToken', ...(pageToken ? { pageToken } : {}) },
        responseType: 'json',
      });
      for (const item of listing.items ?? []) {
        if (!item.name || !/^\d{9}$/.test(item.name.slice(path.length + 1))) continue;
        const size = Number(item.size);
        if (Number.isSafeInteger(size) && size >= 0) objects.push({ name: item.name, size });
      }
      pageToken = listing.nextPageToken;
      if (!pageToken) break;
    }
    return objects.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Bytes `first..last` of one object (alt=media with a Range); an object gone meanwhile reads as empty. */
  private async download(bucket: string, name: string, first: number, last: number, auth: AuthClient): Promise<Uint8Array> {
    try {
      const data = await this.call<ArrayBuffer>('storage.objects.get', auth, {
        url: `${this.root}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`,
        params: { alt: 'media' },
        headers: { Range: `bytes=${first}-${last}` },
        responseType: 'arraybuffer',
      });
      return new Uint8Array(data);
    } catch (err) {
      if (err instanceof BackendRejected && (err.backendCode === 'HTTP_404' || err.backendCode === 'HTTP_416')) return new Uint8Array();
      throw err;
    }
  }

  /** One Cloud Storage call with bounded retries on throttling, unavailability and timeouts (reads are safe to repeat). */
  private async call<T>(action: string, auth: AuthClient, options: { url: string; params: Record<string, string>; headers?: Record<string, string>; responseType: 'json' | 'arraybuffer' }): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await auth.request<T>({ ...options, method: 'GET', retry: false, timeout: this.props.timeoutMs });
        return res.data;
      } catch (raw) {
        const failure = describeFailure(raw, this.root);
        const err = toBackendError(failure, action);
        const backoff = Math.min(this.props.retryMaxDelayMs, this.props.retryBaseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        const delay = Math.max(backoff, (failure.facts.retryAfterSeconds ?? 0) * 1000);
        if (attempt >= this.props.retries || !isTransient(err) || delay > this.props.retryMaxDelayMs) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
