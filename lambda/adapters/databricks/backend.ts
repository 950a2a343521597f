// DatabricksBackend: Jobs API 2.2 run-now (an existing job) and runs/submit (a one-off run) behind the JobBackend interface.
import { createHash } from 'node:crypto';
import type { DatabricksConfig } from '../../../contract/settings.js';
import type { BackendRef, BackendRequest, BackendState, JobBackend, LookupResult, OutputChunk, OutputRead, Submission, UnconfirmedSubmission } from '../../core/backend.js';
import { BackendFailure, TemplateError } from '../../core/errors.js';
import type { SecretStore } from '../../core/secrets.js';
import { DatabricksCredentials } from './credentials.js';
import { DatabricksHttpClient, type DatabricksHttpProps } from './http.js';
import { RunOutputReader } from './output.js';
import { normalizeRun, type DatabricksRun } from './status.js';

export type DatabricksBackendProps = DatabricksHttpProps;

const BACKEND = 'databricks';
const MAX_IDEMPOTENCY_TOKEN = 64;
const RUN_ID = /^\d{1,19}$/;

export class DatabricksBackend implements JobBackend {
  readonly name = 'databricks' as const;
  private readonly http: DatabricksHttpClient;
  private readonly output: RunOutputReader;

  constructor(props: DatabricksBackendProps) {
    this.http = new DatabricksHttpClient(props);
    this.output = new RunOutputReader(this.http);
  }

  plan(submission: Submission): BackendRequest {
    const { rendered, template, jobId } = submission;
    const idempotency_token = idempotencyTokenFor(jobId);
    if (isObject(rendered.runNow) && rendered.submit === undefined) {
      return { method: 'POST', url: this.http.url('/api/2.2/jobs/run-now'), body: { ...runNowBody(rendered.runNow, template.file), idempotency_token } };
    }
    if (isObject(rendered.submit) && rendered.runNow === undefined) {
      const body: Record<string, unknown> = { ...rendered.submit, idempotency_token };
      // The template's limit becomes the run's timeout unless the submit block sets its own.
      if (body.timeout_seconds === undefined && template.limits.timeoutSeconds !== undefined) body.timeout_seconds = template.limits.timeoutSeconds;
      return { method: 'POST', url: this.http.url('/api/2.2/jobs/runs/submit'), body };
    }
    throw new TemplateError(template.file, 'the databricks block needs exactly one of runNow or submit');
  }

  async submit(submission: Submission): Promise<BackendRef & BackendState> {
    const request = this.plan(submission);
    const path = new URL(request.url).pathname;
    const res = await this.http.request('POST', path, { body: JSON.stringify(request.body) });
    // int64 ids: read the digits from the text, JSON numbers would round ids above 2^53.
    const id = /"run_id"\s*:\s*"?(\d+)"?/.exec(res.text)?.[1];
    if (!id) throw new BackendFailure(BACKEND, 502, 'INVALID_RESPONSE', `Databricks POST ${path} answered without a run_id`);
    try {
      const run = await this.readRun(id);
      return { kind: 'run', id, consoleUrl: run.run_page_url, ...normalizeRun(run) };
    } catch {
      // The run exists; failing here would only make the caller retry a submit that already happened.
      return { kind: 'run', id, status: 'QUEUED', backendStatus: 'SUBMITTED', message: 'submitted; its state could not be read yet' };
    }
  }

  async get(ref: BackendRef): Promise<BackendState> {
    return normalizeRun(await this.readRun(runIdOf(ref)));
  }

  async cancel(ref: BackendRef): Promise<BackendState> {
    const id = runIdOf(ref);
    await this.http.request('POST', '/api/2.2/jobs/runs/cancel', { body: `{"run_id":${id}}` });
    return normalizeRun(await this.readRun(id), true);
  }

  /** The run's tasks' output (logs, notebook exit value, error and trace), task by task as they finish. */
  readOutput(ref: BackendRef, read: OutputRead): Promise<OutputChunk> {
    return this.output.read(runIdOf(ref), read);
  }

  /**
   * For the reconciler. Databricks cannot look a run up by idempotency token (only a resubmit reveals it, and a
   * resubmit would start the run), so list the template's runs started since the reservation: none → the submit never
   * reached Databricks; some → they are candidates a person must check, never adopted on a guess.
   */
  async lookup(submission: UnconfirmedSubmission): Promise<LookupResult> {
    const from = Date.parse(submission.reservedAt) - LOOKUP_CLOCK_SKEW_MS;
    const to = Date.now() + LOOKUP_CLOCK_SKEW_MS;
    const filter = runFilter(submission);
    const candidates: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      const query: Record<string, string> = { limit: '25', start_time_from: String(from), start_time_to: String(to), ...filter.query };
      if (pageToken) query.page_token = pageToken;
      const res = await this.http.request('GET', '/api/2.2/jobs/runs/list', { query });
      // int64 run ids: quote them before parsing so none is rounded.
      const listing = JSON.parse(res.text.replace(/"run_id"\s*:\s*(\d+)/g, '"run_id":"$1"')) as { runs?: ListedRun[]; has_more?: boolean; next_page_token?: string };
      for (const run of listing.runs ?? []) {
        const started = Number(run.start_time);
        // The filter is applied here too: a workspace that ignores start_time_from/to must not widen the match.
        if (Number.isFinite(started) && started >= from && started <= to && filter.matches(run)) candidates.push(String(run.run_id));
      }
      if (!listing.has_more || !listing.next_page_token) {
        if (!candidates.length) return { outcome: 'absent' };
        return { outcome: 'unknown', reason: `Databricks cannot look a run up by idempotency token; ${candidates.length} run(s) of this template started since the reservation`, candidates };
      }
      pageToken = listing.next_page_token;
    }
    return { outcome: 'unknown', reason: `more than ${LOOKUP_MAX_PAGES * 25} runs started since the reservation; not searched further`, candidates };
  }

  private async readRun(id: string): Promise<DatabricksRun> {
    const res = await this.http.request('GET', '/api/2.2/jobs/runs/get', { query: { run_id: id } });
    if (!isObject(res.json)) throw new BackendFailure(BACKEND, 502, 'INVALID_RESPONSE', `Databricks runs/get for run ${id} answered without a run`);
    return res.json as DatabricksRun;
  }
}

/**
 * The backend the config describes. `secretId`: the deployed secret (env DATABRICKS_SECRET_ID), or in local mode the
 * key of `local.secrets` named by `credentials.secretName`.
 */
export function databricksBackendFromConfig(
  config: DatabricksConfig,
  store: SecretStore,
  secretId: string,
  overrides: Partial<Omit<DatabricksBackendProps, 'host' | 'credentials'>> = {},
): DatabricksBackend {
  const credentials = new DatabricksCredentials({ config: config.credentials, store, secretId, host: config.host, fetch: overrides.fetch });
  return new DatabricksBackend({ maxRetries: config.maxRetries, ...overrides, host: config.host, credentials });
}

/**
 * Databricks' idempotency_token (at most 64 characters) from our job id: the same job id always maps to the same run.
 * Our ids fit as they are; a longer one is hashed to 64 hex characters.
 */
export function idempotencyTokenFor(jobId: string): string {
  return jobId.length <= MAX_IDEMPOTENCY_TOKEN ? jobId : createHash('sha256').update(jobId).digest('hex');
}

/** Our template keys are camelCase (`jobId`, `jobParameters`); the API's are snake_case. Nested values stay as written. */
function runNowBody(block: Record<string, unknown>, file: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snake in body) throw new TemplateError(file, `runNow sets ${snake} twice (as ${key} and ${snake})`);
    body[snake] = value;
  }
  const jobId = typeof body.job_id === 'string' && /^\d+$/.test(body.job_id) ? Number(body.job_id) : body.job_id;
  if (typeof jobId !== 'number' || !Number.isSafeInteger(jobId) || jobId <= 0) {
    throw new TemplateError(file, `runNow.jobId must be a positive integer, got ${JSON.stringify(body.job_id)}`);
  }
  body.job_id = jobId;
  return body;
}

const LOOKUP_CLOCK_SKEW_MS = 60_000;
const LOOKUP_MAX_PAGES = 40;

interface ListedRun {
  readonly run_id: string;
  readonly job_id?: number;
  readonly run_name?: string;
  readonly run_type?: string;
  readonly start_time?: number;
}

/** Which listed runs could be this submission's: run-now → runs of its job; submit → one-off runs with its run name. */
function runFilter(submission: UnconfirmedSubmission): { query: Record<string, string>; matches: (run: ListedRun) => boolean } {
  const block = submission.template?.databricks;
  const jobId = block?.runNow?.jobId ?? block?.runNow?.job_id;
  if (block?.runNow && (typeof jobId === 'number' || (typeof jobId === 'string' && /^\d+$/.test(jobId)))) {
    return { query: { job_id: String(jobId), run_type: 'JOB_RUN' }, matches: (run) => String(run.job_id) === String(jobId) };
  }
  const runName = block?.submit?.run_name;
  if (block?.submit && typeof runName === 'string') {
    // Placeholders in the run name match anything; the rest must be as written.
    const literal = runName.split(/\{\{\s*[A-Za-z0-9_]+\s*\}\}/).map(escapeRegExp);
    const pattern = new RegExp(`^${literal.join('.*')}$`, 's');
    return { query: { run_type: 'SUBMIT_RUN' }, matches: (run) => run.run_type === 'SUBMIT_RUN' && pattern.test(run.run_name ?? '') };
  }
  if (block?.submit) return { query: { run_type: 'SUBMIT_RUN' }, matches: (run) => run.run_type === 'SUBMIT_RUN' };
  // The template is gone or its job id is a placeholder: every run in the window is a candidate.
  return { query: {}, matches: () => true };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function runIdOf(ref: BackendRef): string {
  if (ref.kind !== 'run' || !RUN_ID.test(ref.id)) {
    throw new BackendFailure(BACKEND, 502, 'INVALID_REFERENCE', `not a Databricks run reference: ${ref.kind} ${JSON.stringify(ref.id).slice(0, 40)}`);
  }
  return ref.id;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
