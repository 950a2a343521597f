// A Dataproc v1 REST emulator: cluster jobs and Serverless batches with Google's de-duplication, state machines,
// error bodies and bearer-token checks, so the real generated client runs against it unchanged. It also serves the
// workloads' driver output as Cloud Storage's JSON API does (local/emulators/dataproc/cloud-storage.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, systemClock, type Clock, type FaultSettings } from './faults.js';
import { BatchStore, type EmulatedBatch } from './dataproc/batches.js';
import { CloudStorageApi } from './dataproc/cloud-storage.js';
import { batchOutputSource, jobOutputSource, outputObjects, type StoredObject } from './dataproc/driver-output.js';
import { faultErrorBody, GoogleApiError, googleErrorBody, invalidArgument, permissionDenied } from './dataproc/google-error.js';
import { JobStore, type EmulatedJob } from './dataproc/jobs.js';

;
;
;

export interface DataprocEmulatorOptions {
  /** @default 0 (an ephemeral port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Time a job or batch spends in each state. @default 1000 */
  readonly stepMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default no faults */
  readonly faults?: FaultSettings;
  /** Randomness behind fault injection; tests pass a fixed sequence. @default Math.random */
  readonly random?: () => number;
  /** Accepts a bearer token and names its principal, or rejects it (401). @default any bearer token, principal `unverified` */
  readonly verifyToken?: (bearer: string) => { principal: string } | undefined;
  /** When given, only these cluster names exist; jobs placed on others get NOT_FOUND. @default every cluster exists */
  readonly clusters?: readonly string[];
  /**
   * IAM on the emulated projects, as Google checks it for these calls. Without it every caller may do everything.
   * @default no IAM checks
   */
  readonly iam?: DataprocIam;
}

/**
 * Who may do what. Dataproc permissions are granted on the project (https://cloud.google.com/dataproc/docs/concepts/iam),
 * so a principal holding `dataproc.jobs.get` reads every job, whoever submitted it, and one without it reads none.
 */
export interface DataprocIam {
  /** Principal (what `verifyToken` names) → Dataproc permissions it holds on every project, e.g. `dataproc.jobs.get`. */
  readonly permissions: Readonly<Record<string, readonly string[]>>;
  /**
   * Service account → principals with `iam.serviceAccounts.actAs` on it. Running a batch as an account needs it, the
   * project's default compute account included (https://cloud.google.com/dataproc-serverless/docs/concepts/service-account).
   */
  readonly actAs?: Readonly<Record<string, readonly string[]>>;
}

/** One HTTP request as the emulator received it, so tests can compare it with what a backend planned to send. */
interface RecordedRequest {
  readonly method: string;
  /** Absolute URL, with this emulator's origin. */
  readonly url: string;
  readonly body?: unknown;
  readonly principal?: string;
}

export interface DataprocEmulator {
  /** Root URL for the client, e.g. `http://127.0.0.1:41234` (googleapis `rootUrl`). */
  readonly url: string;
  readonly faults: FaultInjector;
  close(): Promise<void>;
  jobs(): EmulatedJob[];
  batches(): EmulatedBatch[];
  requests(): RecordedRequest[];
  /** The Cloud Storage objects holding the workloads' driver output, as they are now. */
  objects(): StoredObject[];
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const SEGMENT = '([^/:]+)';

type Handler = (match: string[], query: URLSearchParams, body: unknown, principal: string) => unknown;
interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  /** The IAM permission the method requires (Dataproc and Serverless for Apache Spark IAM pages). */
  readonly permission: string;
  readonly handle: Handler;
}

const route = (method: Route['method'], path: string, permission: string, handle: Handler): Route => ({ method, pattern: new RegExp(`^${path}$`), permission, handle });

export async function startDataprocEmulator(options: DataprocEmulatorOptions = {}): Promise<DataprocEmulator> {
  const clock = options.clock ?? systemClock;
  const stepMs = options.stepMs ?? 1000;
  const faults = new FaultInjector(options.faults ? { ...options.faults } : undefined, options.random);
  const projectNumber = '123456789012';
  const jobs = new JobStore({ clock, stepMs, projectNumber, clusters: options.clusters });
  const iam = options.iam;
  const batches = new BatchStore({
    clock,
    stepMs,
    projectNumber,
    // the project's Compute Engine default service account: what a batch without executionConfig.serviceAccount runs as
    defaultServiceAccount: `${projectNumber}-compute@developer.gserviceaccount.com`,
    mayActAs: iam ? (principal, account) => (iam.actAs?.[account] ?? []).includes(principal) : () => true,
  });
  const objects = (): StoredObject[] => {
    const now = clock.now();
    const sources = [
      ...jobs.all().map((j) => jobOutputSource(j.job, j.principal, stepMs)),
      ...batches.all().map((b) => batchOutputSource(b.batch, b.principal, stepMs)),
    ];
    return sources.flatMap((source) => (source ? outputObjects(source, now) : []));
  };
  const storage = new CloudStorageApi(objects);
  const recorded: RecordedRequest[] = [];
  let origin = '';

  const jobsPath = `/v1/projects/${SEGMENT}/regions/${SEGMENT}/jobs`;
  const batchesPath = `/v1/projects/${SEGMENT}/locations/${SEGMENT}/batches`;
  const operationsPath = `/v1/projects/${SEGMENT}/regions/${SEGMENT}/operations`;
  const routes: Route[] = [
    route('POST', `${jobsPath}:submit`, 'dataproc.jobs.create', ([p, r], _q, body, who) => jobs.submit(p!, r!, body, who)),
    route('GET', jobsPath, 'dataproc.jobs.list', ([p, r], q) => jobs.list(p!, r!, q)),
    route('GET', `${jobsPath}/${SEGMENT}`, 'dataproc.jobs.get', ([p, r, id]) => jobs.get(p!, r!, id!)),
    route('POST', `${jobsPath}/${SEGMENT}:cancel`, 'dataproc.jobs.cancel', ([p, r, id]) => jobs.cancel(p!, r!, id!)),
    route('POST', batchesPath, 'dataproc.batches.create', ([p, l], q, body, who) => batches.create(p!, l!, q, body, who)),
    route('GET', batchesPath, 'dataproc.batches.list', ([p, l], q) => batches.list(p!, l!, q)),
    route('GET', `${batchesPath}/${SEGMENT}`, 'dataproc.batches.get', ([p, l, id]) => batches.get(p!, l!, id!)),
    route('GET', `${operationsPath}/${SEGMENT}`, 'dataproc.operations.get', ([p, r, id]) => batches.getOperation(p!, r!, id!)),
    route('POST', `${operationsPath}/${SEGMENT}:cancel`, 'dataproc.operations.cancel', ([p, r, id]) => batches.cancelOperation(p!, r!, id!)),
  ];

  const authenticate = (req: IncomingMessage): string => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      throw new GoogleApiError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    if (!options.verifyToken) return 'unverified';
    const verified = options.verifyToken(match[1]!);
    if (!verified) throw new GoogleApiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    return verified.principal;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { handled, dropAfterWork } = await faults.intercept(req, res, faultErrorBody);
    if (handled) return;
    let status = 200;
    let answer: unknown;
    try {
      const url = new URL(req.url ?? '/', origin);
      const principal = authenticate(req);
      if (storage.handles(url.pathname)) {
        recorded.push({ method: req.method ?? 'GET', url: `${origin}${url.pathname}${url.search}`, principal });
        return storage.handle(req, res, url, principal);
      }
      const raw = await readBody(req);
      let body: unknown;
      if (raw.length) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw invalidArgument('Invalid JSON payload received. Unexpected token.');
        }
      }
      recorded.push({ method: req.method ?? 'GET', url: `${origin}${url.pathname}${url.search}`, ...(body !== undefined ? { body } : {}), principal });
      const found = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      if (!found) throw new GoogleApiError(404, `The requested URL ${url.pathname} was not found on this server.`, 'NOT_FOUND');
      const groups = found.pattern.exec(url.pathname)!.slice(1).map((s) => decodeURIComponent(s));
      if (iam && !(iam.permissions[principal] ?? []).includes(found.permission)) {
        throw permissionDenied(found.permission, `//dataproc.googleapis.com${url.pathname.replace(/^\/v1/, '').replace(/:[a-z]+$/, '')}`);
      }
      answer = found.handle(groups, url.searchParams, body, principal);
    } catch (err) {
      const error = err instanceof GoogleApiError ? err : new GoogleApiError(500, 'Internal error encountered.');
      status = error.httpStatus;
      answer = error.body();
    }
    // The work is done but the caller never hears: the case that retries with requestId exist for.
    if (dropAfterWork) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"';
    res.writeHead(status, headers).end(JSON.stringify(answer));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(googleErrorBody(500, 'Internal error encountered.')));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

  return {
    url: origin,
    faults,
    jobs: () => jobs.all(),
    batches: () => batches.all(),
    requests: () => [...recorded],
    objects,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new GoogleApiError(413, 'Request payload size exceeds the limit: 10485760 bytes.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
