// The part of the Cloud Storage JSON API that reads Dataproc's driver output: objects.list with a prefix, objects.get
// as metadata or as media (alt=media, with Range), as https://cloud.google.com/storage/docs/json_api/v1/objects
// describes them. Only the principal that submitted a workload may read its objects: a staging bucket on which only the
// workload's service account has storage.objects.get and storage.objects.list, so a read with any other identity fails.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { md5Base64, type StoredObject } from './driver-output.js';

/** GCS errors: `{error: {code, message, errors: [{message, domain, reason}]}}` (https://cloud.google.com/storage/docs/json_api/v1/status-codes). */
class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
  body() {
    return { error: { code: this.httpStatus, message: this.message, errors: [{ message: this.message, domain: 'global', reason: this.reason }] } };
  }
}

const LIST = /^\/storage\/v1\/b\/([^/]+)\/o$/;
const GET = /^\/(download\/)?storage\/v1\/b\/([^/]+)\/o\/(.+)$/;
/** objects.list answers at most this many items per page (its documented default and maximum). */
const MAX_RESULTS = 1000;

export class CloudStorageApi {
  constructor(private readonly objects: () => readonly StoredObject[]) {}

  handles(pathname: string): boolean {
    return pathname.startsWith('/storage/v1/') || pathname.startsWith('/download/storage/v1/');
  }

  /** Answers one request; `principal` is who the bearer token belongs to. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, principal: string): void {
    try {
      if (req.method !== 'GET') throw new StorageError(405, 'methodNotAllowed', `Method ${req.method} is not supported by this emulator for ${url.pathname}`);
      const list = LIST.exec(url.pathname);
      if (list) return this.send(res, 200, this.list(decodeURIComponent(list[1]!), url, principal));
      const get = GET.exec(url.pathname);
      if (!get) throw new StorageError(404, 'notFound', 'Not Found');
      const media = get[1] !== undefined || url.searchParams.get('alt') === 'media';
      const object = this.find(decodeURIComponent(get[2]!), decodeURIComponent(get[3]!), url.searchParams.get('generation'), principal);
      if (media) return this.download(req, res, object);
      return this.send(res, 200, resource(object, url.origin));
    } catch (err) {
      const error = err instanceof StorageError ? err : new StorageError(500, 'backendError', 'Backend Error');
      this.send(res, error.httpStatus, error.body());
    }
  }

  private list(bucket: string, url: URL, principal: string) {
    requireBucket(bucket);
    const query = url.searchParams;
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxResultsText = query.get('maxResults');
    const maxResults = maxResultsText === null ? MAX_RESULTS : Number(maxResultsText);
    if (!Number.isInteger(maxResults) || maxResults < 1) throw new StorageError(400, 'invalid', `Invalid value for maxResults: ${maxResultsText}`);
    const all = this.objects()
      .filter((o) => o.bucket === bucket && o.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (all.length && !all.every((o) => o.owner === principal)) {
      throw new StorageError(403, 'forbidden', `${principal} does not have storage.objects.list access to the Google Cloud Storage bucket. Permission 'storage.objects.list' denied on resource (or it may not exist).`);
    }
    // With a delimiter, names that continue past it are rolled up into `prefixes`.
    const prefixes = new Set<string>();
    const items = all.filter((o) => {
      if (!delimiter) return true;
      const rest = o.name.slice(prefix.length);
      const cut = rest.indexOf(delimiter);
      if (cut < 0) return true;
      prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
      return false;
    });
    const start = decodePageToken(query.get('pageToken'));
    const page = items.slice(start, start + Math.min(maxResults, MAX_RESULTS));
    const next = start + page.length < items.length ? Buffer.from(String(start + page.length)).toString('base64') : undefined;
    return {
      kind: 'storage#objects',
      ...(next ? { nextPageToken: next } : {}),
      ...(prefixes.size ? { prefixes: [...prefixes].sort() } : {}),
      // GCS leaves `items` out of an empty listing.
      ...(page.length ? { items: page.map((o) => resource(o, url.origin)) } : {}),
    };
  }

  private find(bucket: string, name: string, generation: string | null, principal: string): StoredObject {
    requireBucket(bucket);
    const object = this.objects().find((o) => o.bucket === bucket && o.name === name);
    if (!object || (generation !== null && generation !== generationOf(object))) throw new StorageError(404, 'notFound', `No such object: ${bucket}/${name}`);
    if (object.owner !== principal) {
      throw new StorageError(403, 'forbidden', `${principal} does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).`);
    }
    return object;
  }

  /** Media download; a Range header gets 206 with Content-Range, or 416 when it starts past the end (RFC 9110 §14). */
  private download(req: IncomingMessage, res: ServerResponse, object: StoredObject): void {
    const size = object.content.length;
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'x-goog-generation': generationOf(object),
      'x-goog-metageneration': '1',
      'x-goog-stored-content-length': String(size),
      'x-goog-hash': `md5=${md5Base64(object.content)}`,
      'accept-ranges': 'bytes',
    };
    const range = req.headers.range;
    if (range === undefined) {
      res.writeHead(200, { ...headers, 'content-length': String(size) }).end(object.content);
      return;
    }
    const parsed = parseRange(range, size);
    if (parsed === 'ignore') {
      res.writeHead(200, { ...headers, 'content-length': String(size) }).end(object.content);
      return;
    }
    if (parsed === 'unsatisfiable') {
      const error = new StorageError(416, 'requestedRangeNotSatisfiable', 'Request range not satisfiable');
      res.writeHead(416, { 'content-type': 'application/json; charset=UTF-8', 'content-range': `bytes */${size}` }).end(JSON.stringify(error.body()));
      return;
    }
    const [first, last] = parsed;
    const body = object.content.subarray(first, last + 1);
    res.writeHead(206, { ...headers, 'content-range': `bytes ${first}-${last}/${size}`, 'content-length': String(body.length) }).end(body);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
  }
}

/** The staging buckets this emulator's workloads write to (`dataproc-staging-<region>-<project number>-emulator`). */
function requireBucket(bucket: string): void {
  if (!/^dataproc-staging-[a-z0-9-]+-emulator$/.test(bucket)) throw new StorageError(404, 'notFound', 'The specified bucket does not exist.');
}

/** The generation changes whenever the object is rewritten: here, the microsecond its last line was written. */
const generationOf = (o: StoredObject) => String(o.updatedAt * 1000);

/** The object resource (https://cloud.google.com/storage/docs/json_api/v1/objects#resource); int64 fields are strings. */
function resource(o: StoredObject, origin: string) {
  const encoded = encodeURIComponent(o.name);
  const generation = generationOf(o);
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${generation}`,
    selfLink: `${origin}/storage/v1/b/${o.bucket}/o/${encoded}`,
    mediaLink: `${origin}/download/storage/v1/b/${o.bucket}/o/${encoded}?generation=${generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation,
    metageneration: '1',
    contentType: 'application/octet-stream',
    storageClass: 'STANDARD',
    size: String(o.content.length),
    md5Hash: md5Base64(o.content),
    etag: Buffer.from(generation).toString('base64'),
    timeCreated: new Date(o.createdAt).toISOString(),
    updated: new Date(o.updatedAt).toISOString(),
  };
}

function decodePageToken(token: string | null): number {
  if (token === null) return 0;
  const n = Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw new StorageError(400, 'invalid', 'Invalid pageToken');
  return n;
}

/** One `bytes=` range: `a-b`, `a-` or `-n`. Anything else is ignored, as RFC 9110 lets a server do. */
function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | 'ignore' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'ignore';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size) return 'unsatisfiable';
  if (last < first) return 'ignore';
  return [first, last];
}
