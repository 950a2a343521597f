// Dataproc job and batch states mapped to our normalized status; `backendStatus` keeps Dataproc's own word.
import type { dataproc_v1 } from 'googleapis/build/src/apis/dataproc/v1.js';
import type { BackendState } from '../../core/backend.js';
import type { JobStatus } from '../../../contract/job-status.js';

const JOB_STATES: Record<string, JobStatus> = {
  STATE_UNSPECIFIED: 'QUEUED',
  PENDING: 'QUEUED',
  SETUP_DONE: 'QUEUED',
  RUNNING: 'RUNNING',
  DONE: 'SUCCEEDED',
  ERROR: 'FAILED',
  ATTEMPT_FAILURE: 'FAILED',
  CANCEL_PENDING: 'CANCELLING',
  CANCEL_STARTED: 'CANCELLING',
  CANCELLED: 'CANCELLED',
};

const BATCH_STATES: Record<string, JobStatus> = {
  STATE_UNSPECIFIED: 'QUEUED',
  PENDING: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLING: 'CANCELLING',
  CANCELLED: 'CANCELLED',
};

/** A state this code does not know yet counts as not started, so callers keep polling rather than stop on a guess. */
const toStatus = (table: Record<string, JobStatus>, state: string): JobStatus => table[state] ?? 'QUEUED';

export function jobState(job: dataproc_v1.Schema$Job): BackendState {
  const state = job.status?.state ?? 'STATE_UNSPECIFIED';
  const details = job.status?.details;
  return { status: toStatus(JOB_STATES, state), backendStatus: state, ...(details ? { message: details } : {}) };
}

export function batchState(batch: dataproc_v1.Schema$Batch): BackendState {
  const state = batch.state ?? 'STATE_UNSPECIFIED';
  const message = batch.stateMessage;
  return { status: toStatus(BATCH_STATES, state), backendStatus: state, ...(message ? { message } : {}) };
}
