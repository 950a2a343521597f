// Emulated job runs: their lifecycle on the clock, idempotency tokens, and the Run object runs/get returns.
import type { Clock } from '../faults.js';
import { invalidParameter } from './api-error.js';
import { encodePageToken, parseTasks, type ListRunsQuery, type RunNowRequest, type SubmitRequest, type TaskSpec } from './requests.js';

/** Any run whose request (or whose job's settings) contains this text fails after it has run. */
export const FAIL_MARKER = 'EMULATOR_FAIL';

export interface JobSettings {
  readonly name?: string;
  readonly tasks?: readonly TaskSpec[];
  /** Job-level parameter definitions that run-now's `job_parameters` override. */
  readonly parameters?: readonly { readonly name: string; readonly default: string }[];
  readonly [field: string]: unknown;
}

export interface ExistingJob {
  readonly job_id: number;
  readonly settings: JobSettings;
}

/** A task run at one moment, for runs/get-output (run-output.ts). */
export interface TaskMoment {
  readonly spec: TaskSpec;
  readonly fails: boolean;
  /** When the task's RUNNING phase starts; it lasts one step unless a cancel stops it first. */
  readonly executionStart: number;
  readonly stepMs: number;
  readonly cancelledAt?: number;
  readonly terminated: boolean;
  readonly cancelled: boolean;
  readonly now: number;
}

type LifeCycle = 'QUEUED' | 'PENDING' | 'RUNNING' | 'TERMINATING' | 'TERMINATED';

interface RunRecord {
  readonly runId: number;
  readonly jobId: number;
  readonly runType: 'JOB_RUN' | 'SUBMIT_RUN';
  readonly runName: string;
  readonly createdAt: number;
  readonly queued: boolean;
  readonly fails: boolean;
  readonly tasks: readonly { spec: TaskSpec; runId: number; fails: boolean }[];
  readonly jobParameters?: { name: string; default: string; value: string }[];
  readonly idempotencyToken?: string;
  readonly request: Record<string, unknown>;
  readonly creator: string;
  readonly createdByTokenId: string;
  cancelAt?: number;
}

/** What the emulator's `runs()` returns: the stored request and the Run object as runs/get answers now. */
export interface EmulatedRun {
  readonly runId: number;
  readonly jobId: number;
  readonly runType: 'JOB_RUN' | 'SUBMIT_RUN';
  readonly idempotencyToken?: string;
  readonly request: Record<string, unknown>;
  readonly createdByTokenId: string;
  readonly cancelRequested: boolean;
  readonly view: Record<string, unknown>;
}

export interface Caller {
  readonly userName: string;
  readonly tokenId: string;
}

const ACTIVE: ReadonlySet<LifeCycle> = new Set(['QUEUED', 'PENDING', 'RUNNING', 'TERMINATING']);

export class JobRegistry {
  private readonly jobs = new Map<number, ExistingJob>();
  private next = 880000000000001;

  /** Register an existing job (what run-now needs); validates its tasks like jobs/create would. */
  add(job: { job_id?: number; settings: JobSettings }): ExistingJob {
    if (job.settings.tasks) parseTasks(job.settings.tasks, 'settings.tasks');
    const id = job.job_id ?? this.allocate();
    const stored: ExistingJob = { job_id: id, settings: job.settings };
    this.jobs.set(id, stored);
    return stored;
  }
  get(jobId: number): ExistingJob | undefined {
    return this.jobs.get(jobId);
  }
  list(): ExistingJob[] {
    return [...this.jobs.values()];
  }
  /** runs/submit creates an anonymous job too; its id never collides with a registered one. */
  allocate(): number {
    while (this.jobs.has(this.next)) this.next++;
    return this.next++;
  }
}

export class RunStore {
  private readonly runs = new Map<number, RunRecord>();
  private readonly byIdempotencyToken = new Map<string, number>();
  private nextRunId = 550000000000001;

  constructor(
    private readonly clock: Clock,
    private readonly stepMs: number,
    private readonly jobs: JobRegistry,
    private readonly pageUrl: (jobId: number, runId: number) => string,
  ) {}

  submit(req: SubmitRequest, caller: Caller): { run_id: number } {
    const key = req.idempotency_token && `submit:${req.idempotency_token}`;
    const existing = key ? this.byIdempotencyToken.get(key) : undefined;
    if (existing !== undefined) return { run_id: existing };
    const fails = contains(req.raw, FAIL_MARKER);
    const run = this.create({
      jobId: this.jobs.allocate(),
      runType: 'SUBMIT_RUN',
      runName: req.run_name ?? 'Untitled',
      queued: req.queue?.enabled === true,
      fails,
      tasks: req.tasks,
      runWideFailure: fails && !req.tasks.some((t) => contains(t, FAIL_MARKER)),
      idempotencyToken: req.idempotency_token,
      request: req.raw,
      caller,
    });
    if (key) this.byIdempotencyToken.set(key, run.runId);
    return { run_id: run.runId };
  }

  runNow(req: RunNowRequest, caller: Caller): { run_id: number; number_in_job: number } {
    const job = this.jobs.get(req.job_id);
    if (!job) throw invalidParameter(`Job ${req.job_id} does not exist.`);
    const key = req.idempotency_token && `run-now:${req.job_id}:${req.idempotency_token}`;
    const existing = key ? this.byIdempotencyToken.get(key) : undefined;
    if (existing !== undefined) return { run_id: existing, number_in_job: existing };
    const defined = job.settings.parameters ?? [];
    const overrides = req.job_parameters ?? {};
    const names = [...new Set([...defined.map((p) => p.name), ...Object.keys(overrides)])];
    const jobParameters = names.map((name) => {
      const def = defined.find((p) => p.name === name)?.default ?? '';
      return { name, default: def, value: overrides[name] ?? def };
    });
    const tasks = job.settings.tasks ?? [{ task_key: 'main', notebook_task: { notebook_path: `/Jobs/${job.settings.name ?? job.job_id}` } }];
    const runWide = contains(req.raw, FAIL_MARKER) || jobParameters.some((p) => p.value.includes(FAIL_MARKER));
    const run = this.create({
      jobId: job.job_id,
      runType: 'JOB_RUN',
      runName: job.settings.name ?? `Job ${job.job_id}`,
      queued: req.queue?.enabled === true,
      fails: runWide || tasks.some((t) => contains(t, FAIL_MARKER)),
      tasks,
      runWideFailure: runWide,
      jobParameters,
      idempotencyToken: req.idempotency_token,
      request: req.raw,
      caller,
    });
    if (key) this.byIdempotencyToken.set(key, run.runId);
    return { run_id: run.runId, number_in_job: run.runId };
  }

  get(runId: number): Record<string, unknown> {
    return this.view(this.require(runId), true);
  }

  /**
   * A task run as runs/get-output needs it: the task, where it is on the clock, and its Run object. A multi-task run's
   * own id is refused, as Databricks refuses it ("Retrieving the output of runs with multiple tasks is not supported").
   */
  taskRun(runId: number): { moment: TaskMoment; metadata: Record<string, unknown> } {
    for (const run of this.runs.values()) {
      const index = run.tasks.findIndex((t) => t.runId === runId);
      if (index < 0) continue;
      const task = run.tasks[index]!;
      const now = this.clock.now();
      const { lifeCycle, cancelled } = this.phase(run, now);
      const executionStart = run.createdAt + (run.queued ? 2 : 1) * this.stepMs;
      const view = this.view(run, true);
      const taskView = (view.tasks as Record<string, unknown>[])[index]!;
      return {
        moment: { spec: task.spec, fails: task.fails, executionStart, stepMs: this.stepMs, cancelledAt: run.cancelAt, terminated: lifeCycle === 'TERMINATED', cancelled, now },
        metadata: { job_id: run.jobId, run_name: run.runName, run_type: run.runType, ...taskView },
      };
    }
    if (this.runs.has(runId)) {
      throw invalidParameter('Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.');
    }
    throw invalidParameter(`Run ${runId} does not exist.`);
  }

  /** runs/cancel: asynchronous; a no-op for a run whose task has already finished. */
  cancel(runId: number): Record<string, never> {
    const run = this.require(runId);
    if (run.cancelAt === undefined) {
      const now = this.clock.now();
      const phase = this.naturalPhase(run, now);
      if (phase !== 'TERMINATING' && phase !== 'TERMINATED') run.cancelAt = now;
    }
    return {};
  }

  list(q: ListRunsQuery): Record<string, unknown> {
    const now = this.clock.now();
    const matching = [...this.runs.values()]
      .filter((r) => q.job_id === undefined || r.jobId === q.job_id)
      .filter((r) => !q.run_type || r.runType === q.run_type)
      .filter((r) => {
        const active = ACTIVE.has(this.phase(r, now).lifeCycle);
        return q.active_only ? active : q.completed_only ? !active : true;
      })
      .sort((a, b) => b.createdAt - a.createdAt || b.runId - a.runId);
    const page = matching.slice(q.offset, q.offset + q.limit);
    const has_more = q.offset + q.limit < matching.length;
    const out: Record<string, unknown> = { has_more };
    // Databricks leaves empty lists out of its answers.
    if (page.length) out.runs = page.map((r) => this.view(r, q.expand_tasks));
    if (has_more) out.next_page_token = encodePageToken(q.offset + q.limit);
    if (q.offset > 0) out.prev_page_token = encodePageToken(Math.max(0, q.offset - q.limit));
    return out;
  }

  snapshot(): EmulatedRun[] {
    return [...this.runs.values()].map((r) => ({
      runId: r.runId,
      jobId: r.jobId,
      runType: r.runType,
      idempotencyToken: r.idempotencyToken,
      request: r.request,
      createdByTokenId: r.createdByTokenId,
      cancelRequested: r.cancelAt !== undefined,
      view: this.view(r, true),
    }));
  }

  private create(o: {
    jobId: number;
    runType: RunRecord['runType'];
    runName: string;
    queued: boolean;
    fails: boolean;
    tasks: readonly TaskSpec[];
    runWideFailure: boolean;
    jobParameters?: RunRecord['jobParameters'];
    idempotencyToken?: string;
    request: Record<string, unknown>;
    caller: Caller;
  }): RunRecord {
    const runId = this.nextRunId++;
    const run: RunRecord = {
      runId,
      jobId: o.jobId,
      runType: o.runType,
      runName: o.runName,
      createdAt: this.clock.now(),
      queued: o.queued,
      fails: o.fails,
      tasks: o.tasks.map((spec) => ({ spec, runId: this.nextRunId++, fails: o.runWideFailure || contains(spec, FAIL_MARKER) })),
      jobParameters: o.jobParameters,
      idempotencyToken: o.idempotencyToken,
      request: structuredClone(o.request),
      creator: o.caller.userName,
      createdByTokenId: o.caller.tokenId,
    };
    this.runs.set(runId, run);
    return run;
  }

  private require(runId: number): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw invalidParameter(`Run ${runId} does not exist.`);
    return run;
  }

  private phases(run: RunRecord): LifeCycle[] {
    return run.queued ? ['QUEUED', 'PENDING', 'RUNNING', 'TERMINATING'] : ['PENDING', 'RUNNING', 'TERMINATING'];
  }

  private naturalPhase(run: RunRecord, at: number): LifeCycle {
    const step = Math.floor((at - run.createdAt) / this.stepMs);
    return this.phases(run)[step] ?? 'TERMINATED';
  }

  /** Where a run is at `now`: one `stepMs` per state; a cancel spends one step TERMINATING, then ends CANCELED. */
  private phase(run: RunRecord, now: number): { lifeCycle: LifeCycle; cancelled: boolean; endsAt?: number } {
    if (run.cancelAt !== undefined) {
      const endsAt = run.cancelAt + this.stepMs;
      return { lifeCycle: now < endsAt ? 'TERMINATING' : 'TERMINATED', cancelled: true, endsAt };
    }
    return { lifeCycle: this.naturalPhase(run, now), cancelled: false, endsAt: run.createdAt + this.phases(run).length * this.stepMs };
  }

  private view(run: RunRecord, withTasks: boolean): Record<string, unknown> {
    const now = this.clock.now();
    const { lifeCycle, cancelled } = this.phase(run, now);
    const outcome = lifeCycleView(lifeCycle, cancelled, run.fails, run.queued);
    const timing = this.timing(run, now);
    const view: Record<string, unknown> = {
      job_id: run.jobId,
      run_id: run.runId,
      number_in_job: run.runId,
      original_attempt_run_id: run.runId,
      attempt_number: 0,
      creator_user_name: run.creator,
      run_name: run.runName,
      run_type: run.runType,
      trigger: 'ONE_TIME',
      format: 'MULTI_TASK',
      state: outcome.state,
      status: outcome.status,
      ...timing,
      run_page_url: this.pageUrl(run.jobId, run.runId),
    };
    if (run.jobParameters?.length) view.job_parameters = run.jobParameters;
    if (withTasks) {
      view.tasks = run.tasks.map((t) => {
        const task = lifeCycleView(lifeCycle, cancelled, t.fails, run.queued);
        return {
          ...t.spec,
          run_id: t.runId,
          attempt_number: 0,
          state: task.state,
          status: task.status,
          start_time: timing.start_time,
          end_time: timing.end_time,
          run_page_url: this.pageUrl(run.jobId, t.runId),
        };
      });
    }
    return view;
  }

  /** Durations in ms per Databricks' fields; end_time is 0 until the run has terminated. */
  private timing(run: RunRecord, now: number) {
    const step = this.stepMs;
    const start = run.createdAt;
    const { lifeCycle, endsAt } = this.phase(run, now);
    // A cancelled run stops its natural phases at the cancel and spends the rest cleaning up.
    const workEnds = Math.min(now, run.cancelAt ?? endsAt ?? now);
    const offset = run.queued ? step : 0;
    const span = (from: number, to: number) => Math.max(0, Math.min(workEnds, start + to) - (start + from));
    const terminated = lifeCycle === 'TERMINATED';
    const end = terminated ? (endsAt ?? now) : 0;
    const cleanup =
      run.cancelAt !== undefined ? Math.min(now, run.cancelAt + step) - run.cancelAt : span(offset + 2 * step, offset + 3 * step);
    return {
      start_time: start,
      queue_duration: run.queued ? span(0, step) : 0,
      setup_duration: span(offset, offset + step),
      execution_duration: span(offset + step, offset + 2 * step),
      cleanup_duration: cleanup,
      end_time: end,
      run_duration: terminated ? end - start : 0,
    };
  }
}

/** The `state` (life_cycle_state/result_state) and the newer `status` blocks for one moment of a run. */
function lifeCycleView(lifeCycle: LifeCycle, cancelled: boolean, fails: boolean, queued: boolean) {
  const state: Record<string, unknown> = { life_cycle_state: lifeCycle, state_message: '', user_cancelled_or_timedout: cancelled };
  const status: Record<string, unknown> = { state: lifeCycle };
  switch (lifeCycle) {
    case 'QUEUED':
      state.state_message = 'Queued: waiting for capacity.';
      if (queued) state.queue_reason = 'Queued due to reaching maximum concurrent runs of the job.';
      status.queue_details = { code: 'MAX_CONCURRENT_RUNS_REACHED', message: 'Queued due to reaching maximum concurrent runs of the job.' };
      break;
    case 'PENDING':
      state.state_message = 'Waiting for cluster';
      break;
    case 'RUNNING':
      state.state_message = 'In run';
      break;
    case 'TERMINATING':
      // The outcome is known once the task is done; termination_details already says it.
      if (cancelled) {
        state.state_message = 'Run cancellation requested.';
        status.termination_details = { ...cancelDetails };
      } else {
        status.termination_details = { ...(fails ? failureDetails : successDetails) };
      }
      break;
    case 'TERMINATED':
      if (cancelled) {
        state.result_state = 'CANCELED';
        state.state_message = 'Run was cancelled by a user.';
        status.termination_details = { ...cancelDetails };
      } else if (fails) {
        state.result_state = 'FAILED';
        state.state_message = failureDetails.message;
        status.termination_details = { ...failureDetails };
      } else {
        state.result_state = 'SUCCESS';
        status.termination_details = { ...successDetails };
      }
      break;
  }
  return { state, status };
}

const cancelDetails = { code: 'USER_CANCELED', type: 'SUCCESS', message: 'Run was cancelled by a user.' };
const failureDetails = { code: 'RUN_EXECUTION_ERROR', type: 'CLIENT_ERROR', message: `Workload failed: the request contained ${FAIL_MARKER}.` };
const successDetails = { code: 'SUCCESS', type: 'SUCCESS', message: '' };

const contains = (value: unknown, marker: string) => JSON.stringify(value).includes(marker);
