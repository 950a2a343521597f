// Dataproc behind the JobBackend interface: cluster jobs (jobs.submit/get/cancel) and Serverless batches
// (batches.create/get, cancel through the batch's operation) with Google's generated REST client.
import type { AuthClient } from 'google-auth-library';
import { dataproc_v1 } from 'googleapis/build/src/apis/dataproc/v1.js';
import type { BackendRef, BackendRequest, BackendState, JobBackend, LookupResult, OutputChunk, OutputRead, Submission, UnconfirmedSubmission } from '../../core/backend.js';
import type { Template } from '../../../contract/template.js';
import { BackendRejected, TemplateError } from '../../core/errors.js';
import { isTerminal } from '../../../contract/job-status.js';
import { deriveDataprocIds, type DataprocIds } from './ids.js';
import { describeFailure, isTransient, toBackendError } from './errors.js';
import { DriverOutputReader } from './output.js';
import { GATEWAY_LABEL, gatewayLabels, MAX_LABELS, mergeLabels, sanitizeLabelValue } from './labels.js';
import { batchState, jobState } from './status.js';

/** Any google-auth-library client: OAuth2Client, an external-account (WIF) client, Impersonated, a JWT key client. */
type DataprocAuthClient = AuthClient;

/** The generated client's narrower `auth` type; it only calls `request()` (and `getUniverseDomain()` if present), which every AuthClient has. */
type GeneratedClientAuth = Exclude<NonNullable<dataproc_v1.Params$Resource$Projects$Regions$Jobs$Get['auth']>, string>;

export interface DataprocBackendProps {
  readonly projectId: string;
  readonly region: string;
  /** Root URL of the Dataproc API, for emulators and private endpoints; only its origin counts. @default 'https://dataproc.googleapis.com' */
  readonly endpoint?: string;
  /**
   * The gateway's own service account (config `dataproc.credentials.serviceAccount`): what a template without its own
   * submits as, and what rows recorded before `submittedAs` existed are read and cancelled as.
   */
  readonly serviceAccount: string;
  /**
   * The Google credentials to call Dataproc with, for a service account: the gateway's own, or a template's
   * (`template.dataproc.serviceAccount`). Called for every request, so it should return one cached client per
   * account (as `createGoogleAuth` does) for tokens to be reused.
   */
  readonly auth: (serviceAccount: string) => DataprocAuthClient | Promise<DataprocAuthClient>;
  /** @default 'https://console.cloud.google.com' */
  readonly consoleBaseUrl?: string;
  /** Extra attempts for throttled, unavailable, timed-out or reset calls. @default 3 */
  readonly retries?: number;
  /** First backoff delay; doubles each attempt, with jitter. @default 250 */
  readonly retryBaseMs?: number;
  /** Longest wait between attempts, including a server's Retry-After; a longer Retry-After ends the retries. @default 10000 */
  readonly retryMaxDelayMs?: number;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Root URL of the Cloud Storage JSON API, where driver output is read. @default 'https://storage.googleapis.com' */
  readonly storageEndpoint?: string;
}

/** Output locations remembered per workload (they never change); bounded so a long-lived function stays small. */
const OUTPUT_URI_CACHE_SIZE = 1000;

const DEFAULT_ENDPOINT = 'https://dataproc.googleapis.com';

type Prepared =
  | { readonly kind: 'job'; readonly ids: DataprocIds; readonly request: BackendRequest; readonly body: dataproc_v1.Schema$SubmitJobRequest }
  | { readonly kind: 'batch'; readonly ids: DataprocIds; readonly request: BackendRequest; readonly body: dataproc_v1.Schema$Batch };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class DataprocBackend implements JobBackend {
  readonly name = 'dataproc' as const;
  private readonly client: dataproc_v1.Dataproc;
  private readonly root: string;
  private readonly consoleBaseUrl: string;
  private readonly output: DriverOutputReader;
  private readonly outputUris = new Map<string, string>();

  constructor(private readonly props: DataprocBackendProps) {
    this.root = new URL(props.endpoint ?? DEFAULT_ENDPOINT).origin;
    this.consoleBaseUrl = (props.consoleBaseUrl ?? 'https://console.cloud.google.com').replace(/\/+$/, '');
    this.client = new dataproc_v1.Dataproc({ rootUrl: `${this.root}/` });
    this.output = new DriverOutputReader({
      storageEndpoint: props.storageEndpoint,
      retries: props.retries ?? 3,
      retryBaseMs: props.retryBaseMs ?? 250,
      retryMaxDelayMs: props.retryMaxDelayMs ?? 10_000,
      timeoutMs: props.timeoutMs ?? 30_000,
    });
  }

  plan(submission: Submission): BackendRequest {
    return this.prepare(submission).request;
  }

  /**
   * Runs as the template's service account throughout (the create, and the reads that confirm or adopt the workload),
   * and says so in the reference: `submittedAs`, which every later call on the workload uses.
   */
  async submit(submission: Submission): Promise<BackendRef & BackendState> {
    const prepared = this.prepare(submission);
    const submittedAs = this.submitterOf(submission.template);
    const auth = await this.authFor(submittedAs);
    if (prepared.kind === 'job') {
      const { projectId, region } = this.props;
      const job = await this.call('jobs.submit', () =>
        this.client.projects.regions.jobs.submit({ projectId, region, requestBody: prepared.body, auth }, this.options()),
      ).catch((err: unknown) => this.existingJob(err, prepared.ids, submission.jobId, auth));
      return { ...this.jobRef(prepared.ids.jobId, submittedAs), ...jobState(job) };
    }
    await this.call('batches.create', () =>
      this.client.projects.locations.batches.create(
        { parent: this.parent(), batchId: prepared.ids.batchId, requestId: prepared.ids.requestId, requestBody: prepared.body, auth },
        this.options(),
      ),
    ).catch((err: unknown) => this.existingBatch(err, prepared.ids, submission.jobId, auth));
    const batch = await this.getBatch(prepared.ids.batchId, auth);
    return { ...this.batchRef(prepared.ids.batchId, submittedAs), ...batchState(batch) };
  }

  /**
   * The identity every call on a recorded workload uses: the one that submitted it, or for rows recorded before
   * `submittedAs` existed, the gateway's own. (Reading its driver output in Cloud Storage should use it too.)
   */
  identityOf(ref: BackendRef): string {
    return ref.submittedAs ?? this.props.serviceAccount;
  }

  async get(ref: BackendRef): Promise<BackendState> {
    const auth = await this.authFor(this.identityOf(ref));
    if (this.kindOf(ref) === 'job') return jobState(await this.getJob(ref.id, auth));
    return batchState(await this.getBatch(ref.id, auth));
  }

  /** A job that finished before the cancel arrived is not an error: its final state is returned. */
  async cancel(ref: BackendRef): Promise<BackendState> {
    const auth = await this.authFor(this.identityOf(ref));
    if (this.kindOf(ref) === 'job') {
      const { projectId, region } = this.props;
      try {
        return jobState(await this.call('jobs.cancel', () => this.client.projects.regions.jobs.cancel({ projectId, region, jobId: ref.id, requestBody: {}, auth }, this.options())));
      } catch (err) {
        return this.settledOr(err, async () => jobState(await this.getJob(ref.id, auth)));
      }
    }
    const batch = await this.getBatch(ref.id, auth);
    if (!batch.operation) throw new BackendRejected('dataproc', 'FAILED_PRECONDITION', `Dataproc batch ${ref.id} has no operation to cancel`);
    try {
      await this.call('operations.cancel', () => this.client.projects.regions.operations.cancel({ name: batch.operation!, auth }, this.options()));
    } catch (err) {
      return this.settledOr(err, async () => batchState(await this.getBatch(ref.id, auth)));
    }
    return batchState(await this.getBatch(ref.id, auth));
  }

  /**
   * Driver output, read with the identity that submitted the workload: it wrote to a staging bucket that identity may
   * read. Cluster jobs name the location in `driverOutputResourceUri`, batches in `runtimeInfo.outputUri`; neither
   * exists before the driver starts, and then there is no output yet.
   */
  async readOutput(ref: BackendRef, read: OutputRead): Promise<OutputChunk> {
    const auth = await this.authFor(this.identityOf(ref));
    const key = `${ref.kind}/${ref.id}`;
    let uri = this.outputUris.get(key);
    if (!uri) {
      uri = (this.kindOf(ref) === 'job' ? (await this.getJob(ref.id, auth)).driverOutputResourceUri : (await this.getBatch(ref.id, auth)).runtimeInfo?.outputUri) ?? undefined;
      if (!uri) return { text: '', nextOffset: read.offset, atEnd: true };
      if (this.outputUris.size >= OUTPUT_URI_CACHE_SIZE) this.outputUris.delete(this.outputUris.keys().next().value!);
      this.outputUris.set(key, uri);
    }
    // authFor narrows to the generated client's type; it is the AuthClient `props.auth` gave.
    return this.output.read(uri, read, auth as DataprocAuthClient);
  }

  /**
   * For the reconciler: get the workload by the ids a submit of this job derives. Found with our label → that
   * submit reached Dataproc; NOT_FOUND → it never did (no submit is in flight once the reservation is old).
   */
  async lookup(submission: UnconfirmedSubmission): Promise<LookupResult> {
    const ids = deriveDataprocIds(submission.jobId);
    // As whoever a submit of this template runs as; a template removed since can only be looked up as the gateway.
    const submittedAs = submission.template ? this.submitterOf(submission.template) : this.props.serviceAccount;
    const auth = await this.authFor(submittedAs);
    const block = submission.template?.dataproc;
    // A template removed since the reservation no longer says which kind it was: look for both.
    const kinds: ('job' | 'batch')[] = block?.job ? ['job'] : block?.batch ? ['batch'] : ['job', 'batch'];
    for (const kind of kinds) {
      const found =
        kind === 'job'
          ? await this.absentIfNotFound(this.getJob(ids.jobId, auth)).then((j) => j && { labels: j.labels, job: { ...this.jobRef(ids.jobId, submittedAs), ...jobState(j) } })
          : await this.absentIfNotFound(this.getBatch(ids.batchId, auth)).then((b) => b && { labels: b.labels, job: { ...this.batchRef(ids.batchId, submittedAs), ...batchState(b) } });
      if (!found) continue;
      if (found.labels?.[GATEWAY_LABEL.jobId] !== sanitizeLabelValue(submission.jobId)) {
        return { outcome: 'unknown', reason: `Dataproc ${kind} ${found.job.id} exists but was not created for gateway job ${submission.jobId}`, candidates: [found.job.id] };
      }
      return { outcome: 'found', job: found.job };
    }
    return { outcome: 'absent' };
  }

  private async absentIfNotFound<T>(read: Promise<T>): Promise<T | undefined> {
    try {
      return await read;
    } catch (err) {
      if (err instanceof BackendRejected && err.backendCode === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** The whole request, from the rendered template block: what `submit` sends and what a dry run shows. */
  private prepare(submission: Submission): Prepared {
    const { rendered, template } = submission;
    const ids = deriveDataprocIds(submission.jobId);
    const { projectId, region } = this.props;
    const hasJob = isObject(rendered.job);
    const hasBatch = isObject(rendered.batch);
    if (hasJob === hasBatch) throw new TemplateError(template.file, 'a Dataproc template renders exactly one of `job` or `batch`');
    const block = structuredClone((hasJob ? rendered.job : rendered.batch) as Record<string, unknown>);
    if (block.labels !== undefined && !isObject(block.labels)) throw new TemplateError(template.file, '`labels` must be a map of strings');
    const labels = mergeLabels(block.labels as Record<string, unknown> | undefined, gatewayLabels(submission));
    if (Object.keys(labels).length > MAX_LABELS) {
      throw new TemplateError(template.file, `Dataproc allows ${MAX_LABELS} labels and the gateway adds 3; this template has ${Object.keys(labels).length - 3} others`);
    }
    if (hasJob) {
      const job: dataproc_v1.Schema$Job = { ...block, reference: { projectId, jobId: ids.jobId }, labels };
      const body: dataproc_v1.Schema$SubmitJobRequest = { job, requestId: ids.requestId };
      const url = `${this.root}/v1/projects/${encodeURIComponent(projectId)}/regions/${encodeURIComponent(region)}/jobs:submit`;
      return { kind: 'job', ids, body, request: { method: 'POST', url, body } };
    }
    const body: dataproc_v1.Schema$Batch = withRuntimeServiceAccount({ ...block, labels }, template.dataproc?.serviceAccount);
    const query = new URLSearchParams({ batchId: ids.batchId, requestId: ids.requestId });
    const url = `${this.root}/v1/${this.parent()}/batches?${query}`;
    return { kind: 'batch', ids, body, request: { method: 'POST', url, body } };
  }

  /** jobs.submit answered ALREADY_EXISTS: a retry of our own submit, so the job we created first is the answer. */
  private async existingJob(err: unknown, ids: DataprocIds, gatewayJobId: string, auth: GeneratedClientAuth): Promise<dataproc_v1.Schema$Job> {
    if (!(err instanceof BackendRejected) || err.backendCode !== 'ALREADY_EXISTS') throw err;
    const job = await this.getJob(ids.jobId, auth);
    this.assertOurs(job.labels, gatewayJobId, `job ${ids.jobId}`, err);
    return job;
  }

  private async existingBatch(err: unknown, ids: DataprocIds, gatewayJobId: string, auth: GeneratedClientAuth): Promise<void> {
    if (!(err instanceof BackendRejected) || err.backendCode !== 'ALREADY_EXISTS') throw err;
    const batch = await this.getBatch(ids.batchId, auth);
    this.assertOurs(batch.labels, gatewayJobId, `batch ${ids.batchId}`, err);
  }

  /** Never adopt a workload someone else created under the same name. */
  private assertOurs(labels: Record<string, string> | null | undefined, gatewayJobId: string, what: string, conflict: BackendRejected): void {
    if (labels?.[GATEWAY_LABEL.jobId] !== sanitizeLabelValue(gatewayJobId)) {
      throw new BackendRejected('dataproc', 'ALREADY_EXISTS', `Dataproc ${what} exists and was not created for gateway job ${gatewayJobId}`, { cause: conflict });
    }
  }

  /** A cancel refused with FAILED_PRECONDITION because the workload is already cancelling or finished. */
  private async settledOr(err: unknown, read: () => Promise<BackendState>): Promise<BackendState> {
    if (!(err instanceof BackendRejected) || err.backendCode !== 'FAILED_PRECONDITION') throw err;
    const current = await read();
    if (isTerminal(current.status) || current.status === 'CANCELLING') return current;
    throw err;
  }

  private getJob(jobId: string, auth: GeneratedClientAuth): Promise<dataproc_v1.Schema$Job> {
    const { projectId, region } = this.props;
    return this.call('jobs.get', () => this.client.projects.regions.jobs.get({ projectId, region, jobId, auth }, this.options()));
  }

  private getBatch(batchId: string, auth: GeneratedClientAuth): Promise<dataproc_v1.Schema$Batch> {
    return this.call('batches.get', () => this.client.projects.locations.batches.get({ name: `${this.parent()}/batches/${batchId}`, auth }, this.options()));
  }

  /**
   * One Dataproc call with bounded retries. Every call here is idempotent: submits carry requestId and a fixed
   * job/batch id, reads change nothing, and a repeated cancel of a cancelling workload settles in `settledOr`.
   */
  private async call<T>(action: string, send: () => Promise<{ data: T }>): Promise<T> {
    const retries = this.props.retries ?? 3;
    const base = this.props.retryBaseMs ?? 250;
    const maxDelay = this.props.retryMaxDelayMs ?? 10_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await send()).data;
      } catch (raw) {
        const failure = describeFailure(raw, this.root);
        const err = toBackendError(failure, action);
        const backoff = Math.min(maxDelay, base * 2 ** attempt) * (0.5 + Math.random() / 2);
        const delay = Math.max(backoff, (failure.facts.retryAfterSeconds ?? 0) * 1000);
        if (attempt >= retries || !isTransient(err) || delay > maxDelay) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Our retries replace gaxios' own, which would also retry POSTs we have not vetted. */
  private options() {
    return { retry: false, timeout: this.props.timeoutMs ?? 30_000 };
  }

  /** Who submits a template's workloads: its own service account, or the gateway's. */
  private submitterOf(template: Template): string {
    return template.dataproc?.serviceAccount ?? this.props.serviceAccount;
  }

  private async authFor(serviceAccount: string): Promise<GeneratedClientAuth> {
    try {
      return (await this.props.auth(serviceAccount)) as GeneratedClientAuth;
    } catch (err) {
      throw toBackendError(describeFailure(err, this.root), 'authentication');
    }
  }

  private kindOf(ref: BackendRef): 'job' | 'batch' {
    if (ref.kind === 'job' || ref.kind === 'batch') return ref.kind;
    throw new Error(`DataprocBackend cannot handle a '${ref.kind}' reference`);
  }

  private parent(): string {
    return `projects/${this.props.projectId}/locations/${this.props.region}`;
  }

  private jobRef(jobId: string, submittedAs: string): BackendRef {
    const q = new URLSearchParams({ region: this.props.region, project: this.props.projectId });
    return { kind: 'job', id: jobId, consoleUrl: `${this.consoleBaseUrl}/dataproc/jobs/${jobId}?${q}`, submittedAs };
  }

  private batchRef(batchId: string, submittedAs: string): BackendRef {
    const q = new URLSearchParams({ project: this.props.projectId });
    return { kind: 'batch', id: batchId, consoleUrl: `${this.consoleBaseUrl}/dataproc/batches/${this.props.region}/${batchId}?${q}`, submittedAs };
  }
}

/**
 * A batch runs as `environmentConfig.executionConfig.serviceAccount`, or else as the project's Compute Engine default
 * account (https://cloud.google.com/dataproc-serverless/docs/concepts/service-account). A template's `serviceAccount`
 * therefore also becomes the batch's runtime account, unless the batch names one itself (docs/credentials.md).
 */
function withRuntimeServiceAccount(batch: dataproc_v1.Schema$Batch, templateAccount: string | undefined): dataproc_v1.Schema$Batch {
  if (!templateAccount || batch.environmentConfig?.executionConfig?.serviceAccount) return batch;
  const environmentConfig = batch.environmentConfig ?? {};
  return { ...batch, environmentConfig: { ...environmentConfig, executionConfig: { ...environmentConfig.executionConfig, serviceAccount: templateAccount } } };
}
