// Databricks run states → our normalized status. The newer `status` block wins over the legacy `state` block.
import type { BackendState } from '../../core/backend.js';
import type { JobStatus } from '../../../contract/job-status.js';

/** The parts of a Jobs API 2.2 Run object that decide its status. */
export interface DatabricksRun {
  readonly run_page_url?: string;
  readonly state?: {
    readonly life_cycle_state?: string;
    readonly result_state?: string;
    readonly state_message?: string;
    readonly user_cancelled_or_timedout?: boolean;
  };
  readonly status?: {
    readonly state?: string;
    readonly termination_details?: { readonly code?: string; readonly type?: string; readonly message?: string };
  };
}

const WAITING = new Set(['QUEUED', 'PENDING', 'BLOCKED', 'WAITING', 'WAITING_FOR_RETRY']);
const SUCCESS_CODES = new Set(['SUCCESS', 'SUCCESS_WITH_FAILURES']);
const CANCEL_CODES = new Set(['USER_CANCELED', 'CANCELED']);

/** `cancelRequested`: this call has just asked for a cancel, so a TERMINATING run is ours to call CANCELLING. */
export function normalizeRun(run: DatabricksRun, cancelRequested = false): BackendState {
  const lifeCycle = run.state?.life_cycle_state;
  const resultState = run.state?.result_state;
  const details = run.status?.termination_details;
  const current = run.status?.state ?? lifeCycle ?? 'UNKNOWN';
  const cancelling = cancelRequested || run.state?.user_cancelled_or_timedout === true || CANCEL_CODES.has(details?.code ?? '');

  let status: JobStatus;
  let backendStatus: string;
  if (current === 'TERMINATED' || current === 'INTERNAL_ERROR' || current === 'SKIPPED') {
    status = terminalStatus(current, details?.code, resultState);
    const outcome = run.status?.state ? (details?.code ?? resultState) : resultState;
    backendStatus = outcome ? `${current}/${outcome}` : current;
  } else {
    status = WAITING.has(current) ? 'QUEUED' : current === 'TERMINATING' && cancelling ? 'CANCELLING' : 'RUNNING';
    // A cancel was just accepted but Databricks has not moved yet (runs/cancel is asynchronous).
    if (cancelRequested && status !== 'CANCELLING') status = 'CANCELLING';
    backendStatus = current;
  }
  const message = (details?.message || run.state?.state_message || '').trim();
  return message ? { status, backendStatus, message } : { status, backendStatus };
}

function terminalStatus(current: string, code: string | undefined, resultState: string | undefined): JobStatus {
  if (current !== 'TERMINATED') return 'FAILED';
  if (code && SUCCESS_CODES.has(code)) return 'SUCCEEDED';
  if (code && CANCEL_CODES.has(code)) return 'CANCELLED';
  if (code) return 'FAILED';
  if (resultState && SUCCESS_CODES.has(resultState)) return 'SUCCEEDED';
  if (resultState === 'CANCELED') return 'CANCELLED';
  return 'FAILED';
}
