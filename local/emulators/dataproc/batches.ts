// Serverless batches: create (a long-running Operation) with batchId and requestId de-duplication, get, list,
// and cancel through the batch's operation; states move on the clock.
import { randomUUID } from 'node:crypto';
import type { dataproc_v1 } from 'googleapis/build/src/apis/dataproc/v1.js';
import type { Clock } from '../faults.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, permissionDenied } from './google-error.js';
import { compareValues, matches, paginate, parseFilter, type Clause } from './listing.js';
import { Timeline, timestamp } from './timeline.js';
import { serverlessOutputUri } from './driver-output.js';
import { FAIL_MARKER, shouldFail, validateBatch, validateBatchId, validateRequestId } from './validation.js';

type BatchState = 'PENDING' | 'RUNNING' | 'CANCELLING' | 'CANCELLED' | 'SUCCEEDED' | 'FAILED';

const TERMINAL: ReadonlySet<BatchState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

const METADATA_TYPE = 'type.googleapis.com/google.cloud.dataproc.v1.BatchOperationMetadata';
const BATCH_TYPE = 'type.googleapis.com/google.cloud.dataproc.v1.Batch';

/** A batch as the emulator holds it, for tests to inspect. */
export interface EmulatedBatch {
  readonly projectId: string;
  readonly location: string;
  readonly batchId: string;
  readonly requestId?: string;
  /** Who created it: what `verifyToken` returned for the bearer token. */
  readonly principal: string;
  /** The service account the workload runs as: `environmentConfig.executionConfig.serviceAccount`, or the project's default compute account. */
  readonly runtimeServiceAccount: string;
  /** `projects/{p}/regions/{l}/operations/{uuid}` */
  readonly operation: string;
  /** The batch as `batches.get` would answer now. */
  readonly batch: dataproc_v1.Schema$Batch;
}

interface StoredBatch {
  readonly projectId: string;
  readonly location: string;
  readonly batchId: string;
  readonly uuid: string;
  readonly requestId?: string;
  readonly principal: string;
  readonly runtimeServiceAccount: string;
  readonly createdAt: number;
  readonly operation: string;
  readonly spec: dataproc_v1.Schema$Batch;
  readonly timeline: Timeline<BatchState>;
}

export interface BatchStoreOptions {
  readonly clock: Clock;
  readonly stepMs: number;
  /** What a batch without `environmentConfig.executionConfig.serviceAccount` runs as. */
  readonly defaultServiceAccount: string;
  /** Whether the creator holds `iam.serviceAccounts.actAs` on the account the batch would run as. */
  readonly mayActAs: (principal: string, serviceAccount: string) => boolean;
  /** Names the staging bucket driver output goes to. @default '123456789012' */
  readonly projectNumber?: string;
}

// A user-managed (name@project.iam...) or Google-managed (123-compute@developer...) service account email
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9._-]{0,63}@[a-z0-9][a-z0-9.-]{0,252}\.gserviceaccount\.com$/;

export class BatchStore {
  private readonly byName = new Map<string, StoredBatch>();
  private readonly byRequest = new Map<string, StoredBatch>();
  private readonly byOperation = new Map<string, StoredBatch>();

  constructor(private readonly options: BatchStoreOptions) {}

  create(projectId: string, location: string, query: URLSearchParams, body: unknown, principal: string): dataproc_v1.Schema$Operation {
    const requestId = validateRequestId(query.get('requestId') ?? undefined);
    // A second CreateBatchRequest with a known requestId is ignored: the first batch's operation is returned.
    const requestKey = requestId && `${projectId}/${location}/${requestId}`;
    const earlier = requestKey ? this.byRequest.get(requestKey) : undefined;
    if (earlier) return this.operationView(earlier);

    const batchIdParam = validateBatchId(query.get('batchId') ?? undefined);
    const valid = validateBatch(body);
    const uuid = randomUUID();
    const batchId = batchIdParam ?? uuid;
    const name = `projects/${projectId}/locations/${location}/batches/${batchId}`;
    if (this.byName.has(name)) throw alreadyExists(`Batch ${name} already exists`);

    const batch = body as dataproc_v1.Schema$Batch;
    const runtimeServiceAccount = this.runtimeServiceAccount(batch, principal);
    const spec: dataproc_v1.Schema$Batch = {
      [valid.type]: batch[valid.type],
      ...(batch.labels ? { labels: valid.labels } : {}),
      runtimeConfig: { version: '2.2', ...batch.runtimeConfig },
      ...(batch.environmentConfig ? { environmentConfig: batch.environmentConfig } : {}),
    };
    const now = this.options.clock.now();
    const failure = `Job failed with message [${FAIL_MARKER} found in the batch config]. gcloud dataproc batches wait '${batchId}' --region '${location}' --project '${projectId}'`;
    const stored: StoredBatch = {
      projectId,
      location,
      batchId,
      uuid,
      requestId,
      principal,
      runtimeServiceAccount,
      createdAt: now,
      operation: `projects/${projectId}/regions/${location}/operations/${randomUUID()}`,
      spec,
      timeline: new Timeline<BatchState>(now, this.options.stepMs, [
        'PENDING',
        'RUNNING',
        shouldFail(batch[valid.type]) ? { state: 'FAILED', message: failure } : 'SUCCEEDED',
      ]),
    };
    this.byName.set(name, stored);
    this.byOperation.set(stored.operation, stored);
    if (requestKey) this.byRequest.set(requestKey, stored);
    return this.operationView(stored);
  }

  get(projectId: string, location: string, batchId: string): dataproc_v1.Schema$Batch {
    const batch = this.byName.get(`projects/${projectId}/locations/${location}/batches/${batchId}`);
    if (!batch) throw notFound(`Not found: Batch projects/${projectId}/locations/${location}/batches/${batchId}`);
    return this.view(batch);
  }

  list(projectId: string, location: string, query: URLSearchParams): dataproc_v1.Schema$ListBatchesResponse {
    const filter = parseFilter(query.get('filter'), { allowOr: true });
    const orderBy = query.get('orderBy');
    if (orderBy && orderBy.trim() !== 'create_time desc') throw invalidArgument(`Invalid order_by '${orderBy}': only 'create_time desc' is supported`);
    const now = this.options.clock.now();
    const batches = [...this.byName.values()]
      .filter((b) => b.projectId === projectId && b.location === location)
      .filter((b) => matches(filter, (clause) => this.test(b, clause, now)))
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = paginate(batches, query.get('pageSize'), query.get('pageToken'), 20, 1000);
    return { batches: page.items.map((b) => this.view(b)), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  getOperation(projectId: string, region: string, operationId: string): dataproc_v1.Schema$Operation {
    return this.operationView(this.findOperation(projectId, region, operationId));
  }

  /** Cancelling a batch's operation cancels the batch: CANCELLING, then CANCELLED one step later. */
  cancelOperation(projectId: string, region: string, operationId: string): Record<string, never> {
    const batch = this.findOperation(projectId, region, operationId);
    const now = this.options.clock.now();
    const state = batch.timeline.current(now).state;
    if (state === 'CANCELLING') return {};
    if (TERMINAL.has(state)) {
      throw failedPrecondition(`Cannot cancel batch 'projects/${batch.projectId}/locations/${batch.location}/batches/${batch.batchId}' in state ${state}`);
    }
    batch.timeline.divert(now, this.options.stepMs, ['CANCELLING', 'CANCELLED']);
    return {};
  }

  all(): EmulatedBatch[] {
    return [...this.byName.values()].map((b) => ({
      projectId: b.projectId,
      location: b.location,
      batchId: b.batchId,
      ...(b.requestId ? { requestId: b.requestId } : {}),
      principal: b.principal,
      runtimeServiceAccount: b.runtimeServiceAccount,
      operation: b.operation,
      batch: this.view(b),
    }));
  }

  /**
   * The account the workload will run as: the batch's `environmentConfig.executionConfig.serviceAccount`, or the
   * project's Compute Engine default account (https://cloud.google.com/dataproc-serverless/docs/concepts/service-account).
   * Its creator must be allowed to act as it.
   */
  private runtimeServiceAccount(batch: dataproc_v1.Schema$Batch, principal: string): string {
    const execution = batch.environmentConfig?.executionConfig;
    const named = execution?.serviceAccount;
    if (named !== undefined && named !== null && (typeof named !== 'string' || !SERVICE_ACCOUNT.test(named))) {
      throw invalidArgument(`Invalid value at 'batch.environment_config.execution_config.service_account': not a service account email: ${JSON.stringify(named)}`, [
        { field: 'batch.environment_config.execution_config.service_account', description: 'must be a service account email' },
      ]);
    }
    const account = named || this.options.defaultServiceAccount;
    if (!this.options.mayActAs(principal, account)) throw permissionDenied('iam.serviceAccounts.actAs', `projects/-/serviceAccounts/${account}`);
    return account;
  }

  private findOperation(projectId: string, region: string, operationId: string): StoredBatch {
    const name = `projects/${projectId}/regions/${region}/operations/${operationId}`;
    const batch = this.byOperation.get(name);
    if (!batch) throw notFound(`Not found: Operation ${name}`);
    return batch;
  }

  /** Batches filter fields: `batch_id`, `batch_uuid`, `state`, `create_time`, `labels.KEY`. */
  private test(batch: StoredBatch, clause: Clause, now: number): boolean {
    switch (clause.field) {
      case 'batch_id':
        return compareValues(clause.op, batch.batchId, clause.value);
      case 'batch_uuid':
        return compareValues(clause.op, batch.uuid, clause.value);
      case 'state':
        return compareValues(clause.op, batch.timeline.current(now).state, clause.value);
      case 'create_time': {
        const at = Date.parse(clause.value);
        if (Number.isNaN(at)) throw invalidArgument(`Invalid filter: create_time must be an RFC 3339 timestamp, got '${clause.value}'`);
        return compareValues(clause.op, batch.createdAt, at);
      }
      default:
        if (clause.field.startsWith('labels.')) return compareValues(clause.op, batch.spec.labels?.[clause.field.slice('labels.'.length)], clause.value);
        throw invalidArgument(`Invalid filter: unsupported field '${clause.field}'; use batch_id, batch_uuid, state, create_time or labels.[KEY]`);
    }
  }

  private view(batch: StoredBatch): dataproc_v1.Schema$Batch {
    const seen = batch.timeline.seen(this.options.clock.now());
    const current = seen[seen.length - 1]!;
    return {
      name: `projects/${batch.projectId}/locations/${batch.location}/batches/${batch.batchId}`,
      uuid: batch.uuid,
      createTime: timestamp(batch.createdAt),
      ...batch.spec,
      state: current.state,
      stateTime: timestamp(current.at),
      ...(current.message ? { stateMessage: current.message } : {}),
      creator: batch.principal,
      operation: batch.operation,
      stateHistory: seen.slice(0, -1).map((t) => ({ state: t.state, stateStartTime: timestamp(t.at), ...(t.message ? { stateMessage: t.message } : {}) })),
      // Once the workload has started, Dataproc says where its stdout and stderr go.
      ...(seen.some((t) => t.state === 'RUNNING')
        ? { runtimeInfo: { outputUri: serverlessOutputUri(batch.location, this.options.projectNumber ?? '123456789012', batch.uuid) } }
        : {}),
    };
  }

  private operationView(batch: StoredBatch): dataproc_v1.Schema$Operation {
    const view = this.view(batch);
    const current = batch.timeline.current(this.options.clock.now());
    const done = TERMINAL.has(current.state);
    const metadata = {
      '@type': METADATA_TYPE,
      batch: view.name,
      batchUuid: batch.uuid,
      createTime: view.createTime,
      description: 'Batch',
      operationType: 'BATCH',
      ...(view.labels ? { labels: view.labels } : {}),
      ...(done ? { doneTime: timestamp(current.at) } : {}),
    };
    const operation: dataproc_v1.Schema$Operation = { name: batch.operation, metadata, done };
    // The service's exact error code for a failed batch is not documented; UNKNOWN (2) carries the state message.
    if (done && current.state === 'FAILED') operation.error = { code: 2, message: current.message ?? 'Batch failed' };
    else if (done) operation.response = { '@type': BATCH_TYPE, ...view };
    return operation;
  }
}
