// Request validation for the Jobs API 2.2 endpoints the emulator serves, answering as Databricks does (400 INVALID_PARAMETER_VALUE).
import { invalidParameter } from './api-error.js';

/** Task types a runs/submit task (or a job's task) may carry: exactly one per task. */
const TASK_TYPES = [
  'notebook_task',
  'spark_python_task',
  'spark_jar_task',
  'spark_submit_task',
  'python_wheel_task',
  'sql_task',
  'dbt_task',
  'pipeline_task',
  'run_job_task',
  'condition_task',
  'for_each_task',
  'clean_rooms_notebook_task',
  'dashboard_task',
  'power_bi_task',
] as const;

export interface TaskSpec {
  readonly task_key: string;
  readonly [field: string]: unknown;
}

export interface SubmitRequest {
  readonly run_name?: string;
  readonly tasks: readonly TaskSpec[];
  readonly timeout_seconds?: number;
  readonly idempotency_token?: string;
  readonly queue?: { enabled: boolean };
  readonly raw: Record<string, unknown>;
}

export interface RunNowRequest {
  readonly job_id: number;
  readonly job_parameters?: Record<string, string>;
  readonly idempotency_token?: string;
  readonly queue?: { enabled: boolean };
  readonly raw: Record<string, unknown>;
}

export interface ListRunsQuery {
  readonly job_id?: number;
  readonly active_only: boolean;
  readonly completed_only: boolean;
  readonly limit: number;
  readonly offset: number;
  readonly run_type?: 'JOB_RUN' | 'WORKFLOW_RUN' | 'SUBMIT_RUN';
  readonly expand_tasks: boolean;
}

const TASK_KEY = /^[\w\-.]{1,100}$/;
const MAX_IDEMPOTENCY_TOKEN = 64;
const MAX_LIST_LIMIT = 25;

export function parseSubmit(body: Record<string, unknown>): SubmitRequest {
  const run_name = optionalString(body, 'run_name');
  const timeout_seconds = optionalInt(body, 'timeout_seconds');
  if (timeout_seconds !== undefined && timeout_seconds < 0) throw invalidParameter('timeout_seconds must be non-negative');
  const tasks = parseTasks(body.tasks, 'tasks');
  return { run_name, tasks, timeout_seconds, idempotency_token: idempotencyToken(body), queue: queueSettings(body), raw: body };
}

export function parseRunNow(body: Record<string, unknown>): RunNowRequest {
  // A missing job_id reads as 0, which then "does not exist": Databricks answers exactly that.
  const job_id = optionalInt(body, 'job_id') ?? 0;
  const params = body.job_parameters;
  let job_parameters: Record<string, string> | undefined;
  if (params !== undefined && params !== null) {
    if (typeof params !== 'object' || Array.isArray(params)) throw invalidParameter('job_parameters must be a map from parameter names to string values');
    for (const [k, v] of Object.entries(params)) {
      if (typeof v !== 'string') throw invalidParameter(`Invalid value for job parameter '${k}': expected a string, got ${JSON.stringify(v)}`);
    }
    job_parameters = params as Record<string, string>;
  }
  for (const legacy of ['notebook_params', 'python_named_params', 'sql_params']) {
    const v = body[legacy];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) throw invalidParameter(`${legacy} must be a map`);
  }
  for (const legacy of ['jar_params', 'python_params', 'spark_submit_params', 'dbt_commands']) {
    const v = body[legacy];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) throw invalidParameter(`${legacy} must be a list of strings`);
  }
  if (job_parameters && (body.notebook_params !== undefined || body.jar_params !== undefined || body.python_params !== undefined)) {
    throw invalidParameter('job_parameters cannot be used together with task-level parameters');
  }
  return { job_id, job_parameters, idempotency_token: idempotencyToken(body), queue: queueSettings(body), raw: body };
}

/** Tasks of a submit body or of an existing job's settings. */
export function parseTasks(value: unknown, field: string): TaskSpec[] {
  if (value === undefined || value === null) throw invalidParameter(`Missing required field: ${field}`);
  if (!Array.isArray(value)) throw invalidParameter(`${field} must be a list of tasks`);
  if (value.length === 0) throw invalidParameter('At least one task is required');
  const keys = new Set<string>();
  value.forEach((t: unknown, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw invalidParameter(`${field}[${i}] must be an object`);
    const task = t as Record<string, unknown>;
    if (typeof task.task_key !== 'string') throw invalidParameter(`Missing required field: ${field}[${i}].task_key`);
    if (!TASK_KEY.test(task.task_key)) {
      throw invalidParameter(`Invalid task_key '${task.task_key}': use 1 to 100 letters, digits, '_', '-' or '.'`);
    }
    if (keys.has(task.task_key)) throw invalidParameter(`Task key '${task.task_key}' is used by more than one task`);
    keys.add(task.task_key);
    const kinds = TASK_TYPES.filter((k) => task[k] !== undefined);
    if (kinds.length !== 1) {
      throw invalidParameter(`Task '${task.task_key}' must specify exactly one task type (got ${kinds.length ? kinds.join(', ') : 'none'})`);
    }
    const kind = kinds[0]!;
    if (typeof task[kind] !== 'object' || task[kind] === null) throw invalidParameter(`${kind} of task '${task.task_key}' must be an object`);
    if (kind === 'notebook_task' && typeof (task[kind] as Record<string, unknown>).notebook_path !== 'string') {
      throw invalidParameter(`Missing required field: notebook_task.notebook_path in task '${task.task_key}'`);
    }
    if (kind === 'spark_python_task' && typeof (task[kind] as Record<string, unknown>).python_file !== 'string') {
      throw invalidParameter(`Missing required field: spark_python_task.python_file in task '${task.task_key}'`);
    }
  });
  // Dependencies may only name tasks of the same run.
  for (const t of value as Record<string, unknown>[]) {
    const deps = t.depends_on;
    if (deps === undefined) continue;
    if (!Array.isArray(deps)) throw invalidParameter(`depends_on of task '${String(t.task_key)}' must be a list`);
    for (const d of deps as { task_key?: unknown }[]) {
      if (typeof d?.task_key !== 'string' || !keys.has(d.task_key)) {
        throw invalidParameter(`Task '${String(t.task_key)}' depends on unknown task '${String(d?.task_key)}'`);
      }
    }
  }
  return value as TaskSpec[];
}

export function parseListQuery(q: URLSearchParams): ListRunsQuery {
  const bool = (name: string): boolean => {
    const v = q.get(name);
    if (v === null || v === '') return false;
    if (v === 'true' || v === 'false') return v === 'true';
    throw invalidParameter(`Invalid value for parameter ${name}: expected true or false, got '${v}'`);
  };
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw invalidParameter(`Invalid value for parameter ${name}: expected an integer, got '${v}'`);
    return Number(v);
  };
  const active_only = bool('active_only');
  const completed_only = bool('completed_only');
  if (active_only && completed_only) throw invalidParameter('active_only and completed_only cannot both be true');
  let limit = int('limit') ?? 20;
  if (limit === 0) limit = MAX_LIST_LIMIT;
  if (limit > MAX_LIST_LIMIT) throw invalidParameter(`limit must be between 1 and ${MAX_LIST_LIMIT}, got ${limit}`);
  const runType = q.get('run_type');
  if (runType !== null && !['JOB_RUN', 'WORKFLOW_RUN', 'SUBMIT_RUN'].includes(runType)) {
    throw invalidParameter(`Invalid value for parameter run_type: '${runType}'`);
  }
  const pageToken = q.get('page_token');
  const offset = pageToken ? decodePageToken(pageToken) : (int('offset') ?? 0);
  return {
    job_id: int('job_id'),
    active_only,
    completed_only,
    limit,
    offset,
    run_type: (runType ?? undefined) as ListRunsQuery['run_type'],
    expand_tasks: bool('expand_tasks'),
  };
}

export const encodePageToken = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');

export function decodePageToken(token: string): number {
  try {
    const o = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Invalid page_token');
}

/** run_id from a query string or a body, as an int64. */
export function runIdFrom(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw invalidParameter(`Invalid value for parameter run_id: expected an integer, got ${JSON.stringify(value)}`);
}

function idempotencyToken(body: Record<string, unknown>): string | undefined {
  const t = optionalString(body, 'idempotency_token');
  if (t !== undefined && t.length > MAX_IDEMPOTENCY_TOKEN) {
    throw invalidParameter(`idempotency_token must have at most ${MAX_IDEMPOTENCY_TOKEN} characters, got ${t.length}`);
  }
  return t || undefined;
}

function queueSettings(body: Record<string, unknown>): { enabled: boolean } | undefined {
  const q = body.queue;
  if (q === undefined || q === null) return undefined;
  if (typeof q !== 'object' || Array.isArray(q) || typeof (q as { enabled?: unknown }).enabled !== 'boolean') {
    throw invalidParameter('queue must be an object with a boolean field enabled');
  }
  return { enabled: (q as { enabled: boolean }).enabled };
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`Invalid value for parameter ${field}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** int64 fields accept a JSON number or a string of digits, as protobuf JSON does. */
export function optionalInt(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw invalidParameter(`Invalid value for parameter ${field}: expected an integer, got ${JSON.stringify(v)}`);
}
