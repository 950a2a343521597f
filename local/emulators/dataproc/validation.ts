// Request validation as the Dataproc v1 reference documents it (ids, labels, job and batch types).
import { invalidArgument, type FieldViolation } from './google-error.js';

/** `job.reference.jobId`: letters, digits, underscores, hyphens; at most 100 characters. */
export const JOB_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** `requestId` of SubmitJobRequest and CreateBatchRequest: same charset, at most 40 characters. */
export const REQUEST_ID = /^[A-Za-z0-9_-]{1,40}$/;
/** `batchId`: 4-63 characters of /[a-z][0-9]-/. */
export const BATCH_ID = /^[a-z0-9-]{4,63}$/;

/** Label keys: 1-63 characters, a lowercase (or caseless international) letter first, then those, digits, `_` and `-`. */
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
/** Label values: empty, or up to 63 of the same characters. */
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 32;

/** One entry per union member of Job's `type_job`. */
const JOB_TYPES = [
  'hadoopJob',
  'sparkJob',
  'pysparkJob',
  'hiveJob',
  'pigJob',
  'sparkRJob',
  'sparkSqlJob',
  'prestoJob',
  'trinoJob',
  'flinkJob',
] as const;

/** One entry per union member of Batch's `batch_config`. */
const BATCH_TYPES = ['pysparkBatch', 'sparkBatch', 'sparkRBatch', 'sparkSqlBatch', 'pysparkNotebookBatch'] as const;

const JOB_FIELDS = new Set<string>([
  ...JOB_TYPES,
  'reference',
  'placement',
  'labels',
  'scheduling',
  'driverSchedulingConfig',
  // Output-only fields are accepted and ignored, as the service does.
  'status',
  'statusHistory',
  'yarnApplications',
  'driverOutputResourceUri',
  'driverControlFilesUri',
  'jobUuid',
  'done',
]);

const BATCH_FIELDS = new Set<string>([
  ...BATCH_TYPES,
  'labels',
  'runtimeConfig',
  'environmentConfig',
  'name',
  'uuid',
  'createTime',
  'runtimeInfo',
  'state',
  'stateMessage',
  'stateTime',
  'creator',
  'operation',
  'stateHistory',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
const hasQueries = (q: Record<string, unknown>) =>
  nonEmpty(q.queryFileUri) || (isObject(q.queryList) && Array.isArray(q.queryList.queries) && q.queryList.queries.length > 0);

/** Google's JSON parser rejects names that are not fields of the message. */
function unknownFields(value: Record<string, unknown>, known: ReadonlySet<string>, at: string): void {
  const unknown = Object.keys(value).filter((k) => !known.has(k));
  if (unknown.length) {
    throw invalidArgument(
      unknown.map((k) => `Invalid JSON payload received. Unknown name "${k}" at '${at}': Cannot find field.`).join('\n'),
      unknown.map((k) => ({ field: `${at}.${k}`, description: `Invalid JSON payload received. Unknown name "${k}" at '${at}': Cannot find field.` })),
    );
  }
}

export function validateRequestId(requestId: unknown, field = 'request_id'): string | undefined {
  if (requestId === undefined || requestId === null || requestId === '') return undefined;
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
    throw invalidArgument(
      `Invalid ${field} '${String(requestId)}': must contain only letters (a-z, A-Z), numbers (0-9), underscores (_), and hyphens (-), and be at most 40 characters`,
      [{ field, description: 'must match [a-zA-Z0-9_-]{1,40}' }],
    );
  }
  return requestId;
}

function validateLabels(labels: unknown, field: string): Record<string, string> {
  if (labels === undefined || labels === null) return {};
  if (!isObject(labels)) throw invalidArgument(`Invalid value at '${field}': expected a map of strings`);
  const violations: FieldViolation[] = [];
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) {
    violations.push({ field, description: `No more than ${MAX_LABELS} labels can be associated with a resource, got ${entries.length}` });
  }
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      violations.push({ field: `${field}[${key}]`, description: `Label key '${key}' must be 1-63 characters, start with a lowercase letter and contain only lowercase letters, digits, '_' and '-'` });
    }
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      violations.push({ field: `${field}[${key}]`, description: `Label value '${String(value)}' must be at most 63 characters of lowercase letters, digits, '_' and '-'` });
    }
  }
  if (violations.length) throw invalidArgument(`Invalid labels: ${violations.map((v) => v.description).join('; ')}`, violations);
  return { ...(labels as Record<string, string>) };
}

function exactlyOne(value: Record<string, unknown>, members: readonly string[], what: string, field: string): string {
  const present = members.filter((m) => value[m] !== undefined && value[m] !== null);
  if (present.length !== 1) {
    throw invalidArgument(
      present.length === 0
        ? `${what} must specify exactly one of: ${members.join(', ')}`
        : `${what} must specify exactly one type, got ${present.join(', ')}`,
      [{ field, description: `exactly one of ${members.join(', ')}` }],
    );
  }
  return present[0]!;
}

/** The fields each job type requires (a driver or queries). */
function validateJobType(type: string, config: unknown): void {
  if (!isObject(config)) throw invalidArgument(`Invalid value at 'job.${type}': expected an object`);
  const field = `job.${type}`;
  switch (type) {
    case 'pysparkJob':
      if (!nonEmpty(config.mainPythonFileUri)) throw invalidArgument(`${field}.main_python_file_uri is required`, [{ field: `${field}.mainPythonFileUri`, description: 'required' }]);
      return;
    case 'sparkRJob':
      if (!nonEmpty(config.mainRFileUri)) throw invalidArgument(`${field}.main_r_file_uri is required`, [{ field: `${field}.mainRFileUri`, description: 'required' }]);
      return;
    case 'hadoopJob':
    case 'sparkJob':
    case 'flinkJob':
      if (nonEmpty(config.mainJarFileUri) === nonEmpty(config.mainClass)) {
        throw invalidArgument(`${field} must specify exactly one of main_jar_file_uri or main_class`, [{ field, description: 'exactly one of mainJarFileUri, mainClass' }]);
      }
      return;
    default:
      if (!hasQueries(config)) throw invalidArgument(`${field} must specify query_file_uri or query_list`, [{ field, description: 'one of queryFileUri, queryList' }]);
  }
}

export interface ValidJob {
  readonly jobId?: string;
  readonly clusterName: string;
  readonly type: (typeof JOB_TYPES)[number];
  readonly labels: Record<string, string>;
}

export function validateJob(job: unknown, projectId: string): ValidJob {
  if (!isObject(job)) throw invalidArgument('Job is required', [{ field: 'job', description: 'required' }]);
  unknownFields(job, JOB_FIELDS, 'job');
  let jobId: string | undefined;
  if (job.reference !== undefined) {
    if (!isObject(job.reference)) throw invalidArgument("Invalid value at 'job.reference': expected an object");
    const ref = job.reference;
    if (ref.projectId !== undefined && ref.projectId !== projectId) {
      throw invalidArgument(`Job reference project '${String(ref.projectId)}' does not match request project '${projectId}'`, [{ field: 'job.reference.project_id', description: 'must match the request project' }]);
    }
    if (ref.jobId !== undefined && ref.jobId !== '') {
      if (typeof ref.jobId !== 'string' || !JOB_ID.test(ref.jobId)) {
        throw invalidArgument(
          `Invalid job id '${String(ref.jobId)}': must contain only letters (a-z, A-Z), numbers (0-9), underscores (_), or hyphens (-), and be at most 100 characters`,
          [{ field: 'job.reference.job_id', description: 'must match [a-zA-Z0-9_-]{1,100}' }],
        );
      }
      jobId = ref.jobId;
    }
  }
  const placement = job.placement;
  if (!isObject(placement) || !nonEmpty(placement.clusterName)) {
    throw invalidArgument('Cluster name is required', [{ field: 'job.placement.cluster_name', description: 'required' }]);
  }
  const type = exactlyOne(job, JOB_TYPES, 'Job', 'job.type_job') as ValidJob['type'];
  validateJobType(type, job[type]);
  const labels = validateLabels(job.labels, 'job.labels');
  return { jobId, clusterName: placement.clusterName as string, type, labels };
}

export interface ValidBatch {
  readonly type: (typeof BATCH_TYPES)[number];
  readonly labels: Record<string, string>;
}

export function validateBatchId(batchId: unknown): string | undefined {
  if (batchId === undefined || batchId === '') return undefined;
  if (typeof batchId !== 'string' || !BATCH_ID.test(batchId)) {
    throw invalidArgument(`Invalid batch id '${String(batchId)}': must be 4-63 characters; valid characters are /[a-z][0-9]-/`, [
      { field: 'batch_id', description: 'must match [a-z0-9-]{4,63}' },
    ]);
  }
  return batchId;
}

export function validateBatch(batch: unknown): ValidBatch {
  if (!isObject(batch)) throw invalidArgument('Batch is required', [{ field: 'batch', description: 'required' }]);
  unknownFields(batch, BATCH_FIELDS, 'batch');
  const type = exactlyOne(batch, BATCH_TYPES, 'Batch', 'batch.batch_config') as ValidBatch['type'];
  const config = batch[type];
  if (!isObject(config)) throw invalidArgument(`Invalid value at 'batch.${type}': expected an object`);
  const required: Partial<Record<ValidBatch['type'], string>> = {
    pysparkBatch: 'mainPythonFileUri',
    sparkRBatch: 'mainRFileUri',
    sparkSqlBatch: 'queryFileUri',
    pysparkNotebookBatch: 'notebookFileUri',
  };
  const field = required[type];
  if (field && !nonEmpty(config[field])) throw invalidArgument(`batch.${type}.${field} is required`, [{ field: `batch.${type}.${field}`, description: 'required' }]);
  if (type === 'sparkBatch' && nonEmpty(config.mainJarFileUri) === nonEmpty(config.mainClass)) {
    throw invalidArgument('batch.sparkBatch must specify exactly one of main_jar_file_uri or main_class', [{ field: 'batch.sparkBatch', description: 'exactly one of mainJarFileUri, mainClass' }]);
  }
  return { type, labels: validateLabels(batch.labels, 'batch.labels') };
}

/**
 * How the emulator decides a workload's outcome, deterministically: a job or batch ends in ERROR/FAILED when the
 * text `EMULATOR_FAIL` appears anywhere in its type config (an arg, a property, a query, a file URI); otherwise it succeeds.
 */
export const FAIL_MARKER = 'EMULATOR_FAIL';
export const shouldFail = (typeConfig: unknown): boolean => JSON.stringify(typeConfig ?? null).includes(FAIL_MARKER);
