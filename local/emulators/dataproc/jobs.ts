// Cluster jobs: submit with requestId and jobId de-duplication, get, list, cancel; states move on the clock.
import { randomUUID } from 'node:crypto';
import type { dataproc_v1 } from 'googleapis/build/src/apis/dataproc/v1.js';
import type { Clock } from '../faults.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from './google-error.js';
import { compareValues, matches, paginate, parseFilter, type Clause, type Page } from './listing.js';
import { Timeline, timestamp } from './timeline.js';
import { FAIL_MARKER, shouldFail, validateJob, validateRequestId } from './validation.js';

type JobState =
  | 'PENDING'
  | 'SETUP_DONE'
  | 'RUNNING'
  | 'CANCEL_PENDING'
  | 'CANCEL_STARTED'
  | 'CANCELLED'
  | 'DONE'
  | 'ERROR'
  | 'ATTEMPT_FAILURE';

const TERMINAL: ReadonlySet<JobState> = new Set(['DONE', 'ERROR', 'CANCELLED']);
const CANCELLABLE: readonly JobState[] = ['PENDING', 'SETUP_DONE', 'RUNNING'];

/** A job as the emulator holds it, for tests to inspect. */
export interface EmulatedJob {
  readonly projectId: string;
  readonly region: string;
  readonly jobId: string;
  readonly requestId?: string;
  /** Who submitted it: what `verifyToken` returned for the bearer token. */
  readonly principal: string;
  /** The job as `jobs.get` would answer now. */
  readonly job: dataproc_v1.Schema$Job;
}

interface StoredJob {
  readonly projectId: string;
  readonly region: string;
  readonly jobId: string;
  readonly jobUuid: string;
  readonly requestId?: string;
  readonly principal: string;
  readonly submittedAt: number;
  readonly clusterName: string;
  /** The job as submitted, without output-only fields. */
  readonly spec: dataproc_v1.Schema$Job;
  readonly timeline: Timeline<JobState>;
}

export interface JobStoreOptions {
  readonly clock: Clock;
  readonly stepMs: number;
  readonly projectNumber: string;
  /** When given, only these clusters exist; a job placed elsewhere gets NOT_FOUND. */
  readonly clusters?: readonly string[];
}

export class JobStore {
  private readonly byName = new Map<string, StoredJob>();
  private readonly byRequest = new Map<string, StoredJob>();
  private readonly clusterUuids = new Map<string, string>();

  constructor(private readonly options: JobStoreOptions) {}

  submit(projectId: string, region: string, body: unknown, principal: string): dataproc_v1.Schema$Job {
    const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const unknown = Object.keys(request).filter((k) => k !== 'job' && k !== 'requestId');
    if (unknown.length) throw invalidArgument(`Invalid JSON payload received. Unknown name "${unknown[0]}": Cannot find field.`);
    const requestId = validateRequestId(request.requestId);
    // A second request with a known requestId is ignored: the first job is returned.
    const requestKey = requestId && `${projectId}/${region}/${requestId}`;
    const earlier = requestKey ? this.byRequest.get(requestKey) : undefined;
    if (earlier) return this.view(earlier);

    const valid = validateJob(request.job, projectId);
    if (this.options.clusters && !this.options.clusters.includes(valid.clusterName)) {
      throw notFound(`Not found: Cluster projects/${projectId}/regions/${region}/clusters/${valid.clusterName}`);
    }
    const jobUuid = randomUUID();
    const jobId = valid.jobId ?? jobUuid.replace(/-/g, '');
    const key = `${projectId}/${jobId}`;
    if (this.byName.has(key)) throw alreadyExists(`Already exists: Failed to submit job: Job projects/${projectId}/regions/${region}/jobs/${jobId}`);

    const job = request.job as dataproc_v1.Schema$Job;
    const spec: dataproc_v1.Schema$Job = {
      reference: { projectId, jobId },
      placement: { ...job.placement, clusterName: valid.clusterName },
      [valid.type]: job[valid.type],
      ...(job.labels ? { labels: valid.labels } : {}),
      ...(job.scheduling ? { scheduling: job.scheduling } : {}),
      ...(job.driverSchedulingConfig ? { driverSchedulingConfig: job.driverSchedulingConfig } : {}),
    };
    const now = this.options.clock.now();
    const failure = `Google Cloud Dataproc Agent reports job failure. The job's config contains ${FAIL_MARKER}. gcloud dataproc jobs wait '${jobId}' --region '${region}' --project '${projectId}'`;
    const stored: StoredJob = {
      projectId,
      region,
      jobId,
      jobUuid,
      requestId,
      principal,
      submittedAt: now,
      clusterName: valid.clusterName,
      spec,
      timeline: new Timeline<JobState>(now, this.options.stepMs, [
        'PENDING',
        'SETUP_DONE',
        'RUNNING',
        shouldFail(job[valid.type]) ? { state: 'ERROR', message: failure } : 'DONE',
      ]),
    };
    this.byName.set(key, stored);
    if (requestKey) this.byRequest.set(requestKey, stored);
    return this.view(stored);
  }

  get(projectId: string, region: string, jobId: string): dataproc_v1.Schema$Job {
    return this.view(this.find(projectId, region, jobId));
  }

  list(projectId: string, region: string, query: URLSearchParams): dataproc_v1.Schema$ListJobsResponse {
    const filterText = query.get('filter');
    const filter = parseFilter(filterText, { allowOr: false });
    const matcher = filterText ? 'ALL' : (query.get('jobStateMatcher') ?? 'ALL');
    if (!['ALL', 'ACTIVE', 'NON_ACTIVE'].includes(matcher)) throw invalidArgument(`Invalid job_state_matcher '${matcher}'`);
    const clusterName = query.get('clusterName');
    const now = this.options.clock.now();
    const jobs = [...this.byName.values()]
      .filter((j) => j.projectId === projectId && j.region === region)
      .filter((j) => !clusterName || j.clusterName === clusterName)
      .filter((j) => {
        const terminal = TERMINAL.has(j.timeline.current(now).state);
        return matcher === 'ALL' || (matcher === 'ACTIVE') !== terminal;
      })
      .filter((j) => matches(filter, (clause) => this.test(j, clause, now)))
      .sort((a, b) => b.submittedAt - a.submittedAt);
    const page: Page<StoredJob> = paginate(jobs, query.get('pageSize'), query.get('pageToken'), 10, 1000);
    return { jobs: page.items.map((j) => this.view(j)), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  cancel(projectId: string, region: string, jobId: string): dataproc_v1.Schema$Job {
    const job = this.find(projectId, region, jobId);
    const now = this.options.clock.now();
    const state = job.timeline.current(now).state;
    if (state === 'CANCEL_PENDING' || state === 'CANCEL_STARTED') return this.view(job);
    if (!CANCELLABLE.includes(state)) {
      throw failedPrecondition(`Cannot cancel jobId '${jobId}' in projectId '${projectId}' in state: '${state}'; cancellable states: '[${CANCELLABLE.join(', ')}]'`);
    }
    job.timeline.divert(now, this.options.stepMs, ['CANCEL_PENDING', 'CANCELLED']);
    return this.view(job);
  }

  all(): EmulatedJob[] {
    return [...this.byName.values()].map((j) => ({
      projectId: j.projectId,
      region: j.region,
      jobId: j.jobId,
      ...(j.requestId ? { requestId: j.requestId } : {}),
      principal: j.principal,
      job: this.view(j),
    }));
  }

  private find(projectId: string, region: string, jobId: string): StoredJob {
    const job = this.byName.get(`${projectId}/${jobId}`);
    if (!job || job.region !== region) throw notFound(`Not found: Job projects/${projectId}/regions/${region}/jobs/${jobId}`);
    return job;
  }

  /** Jobs filter fields: `status.state` (ACTIVE | NON_ACTIVE | *), `labels.KEY`, `insertTime`. */
  private test(job: StoredJob, clause: Clause, now: number): boolean {
    if (clause.field === 'status.state') {
      if (clause.op !== '=') throw invalidArgument(`Invalid filter: status.state supports only '='`);
      if (clause.value === '*') return true;
      if (clause.value !== 'ACTIVE' && clause.value !== 'NON_ACTIVE') throw invalidArgument(`Invalid filter: status.state must be ACTIVE or NON_ACTIVE, got '${clause.value}'`);
      return (clause.value === 'NON_ACTIVE') === TERMINAL.has(job.timeline.current(now).state);
    }
    if (clause.field.startsWith('labels.')) {
      if (clause.op !== '=') throw invalidArgument(`Invalid filter: labels support only '='`);
      return compareValues('=', job.spec.labels?.[clause.field.slice('labels.'.length)], clause.value);
    }
    if (clause.field === 'insertTime') {
      const at = Date.parse(clause.value);
      if (Number.isNaN(at)) throw invalidArgument(`Invalid filter: insertTime must be an RFC 3339 timestamp, got '${clause.value}'`);
      return compareValues(clause.op, job.submittedAt, at);
    }
    throw invalidArgument(`Invalid filter: unsupported field '${clause.field}'; use status.state, labels.[KEY] or insertTime`);
  }

  private clusterUuid(projectId: string, region: string, clusterName: string): string {
    const key = `${projectId}/${region}/${clusterName}`;
    let uuid = this.clusterUuids.get(key);
    if (!uuid) this.clusterUuids.set(key, (uuid = randomUUID()));
    return uuid;
  }

  private view(job: StoredJob): dataproc_v1.Schema$Job {
    const seen = job.timeline.seen(this.options.clock.now());
    const status = (t: (typeof seen)[number]): dataproc_v1.Schema$JobStatus => ({
      state: t.state,
      stateStartTime: timestamp(t.at),
      ...(t.message ? { details: t.message } : {}),
    });
    const current = seen[seen.length - 1]!;
    const clusterUuid = this.clusterUuid(job.projectId, job.region, job.clusterName);
    const controlFiles = `gs://dataproc-staging-${job.region}-${this.options.projectNumber}-emulator/google-cloud-dataproc-metainfo/${clusterUuid}/jobs/${job.jobId}/`;
    return {
      ...job.spec,
      placement: { ...job.spec.placement, clusterUuid },
      status: status(current),
      statusHistory: seen.slice(0, -1).map(status),
      driverControlFilesUri: controlFiles,
      driverOutputResourceUri: `${controlFiles}driveroutput`,
      jobUuid: job.jobUuid,
      done: TERMINAL.has(current.state),
    };
  }
}
