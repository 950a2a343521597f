import type { Principal } from './principal.js';
import type { JobStatus } from '../../contract/job-status.js';
import type { BackendName } from '../../contract/backends.js';
import type { Template } from '../../contract/template.js';

/** What a backend needs to submit one job: our id (the source of backend de-duplication), the template and its rendered request. */
export interface Submission {
  readonly jobId: string;
  readonly template: Template;
  /** The template's backend block after rendering, e.g. `{job: {...}}` or `{batch: {...}}` or `{runNow: {...}}` or `{submit: {...}}`. */
  readonly rendered: Record<string, unknown>;
  readonly principal: Principal;
  /** The principal as backends may label it: a keyed MAC, never the identity (lambda/core/keyed-hash.ts `principalTag`). */
  readonly principalTag: string;
}

/** The exact HTTP request a backend would send: what `?dryRun=true` returns. Never contains credentials. */
export interface BackendRequest {
  readonly method: 'POST' | 'GET';
  readonly url: string;
  readonly body?: unknown;
}

/** How to find the backend's job again, and as whom: stored in the ledger row (`JobRecord.backendRef`). */
export interface BackendRef {
  /** `job` (Dataproc cluster job), `batch` (Dataproc Serverless), `run` (Databricks run). */
  readonly kind: 'job' | 'batch' | 'run';
  readonly id: string;
  /** A link to the backend's console for people. */
  readonly consoleUrl?: string;
  /**
   * The identity that submitted the workload, which every later call on it (status, cancel, reconciler, revocation,
   * reading its output) uses: a Google service account email for Dataproc (the template's, or the gateway's default).
   * Absent for Databricks (one credential) and on rows recorded before it existed, which mean the backend's default.
   */
  readonly submittedAs?: string;
}

/** A backend's answer split into what the ledger keeps as the reference and the state it reports. */
export function splitAccepted(accepted: BackendRef & BackendState): { ref: BackendRef; state: BackendState } {
  const { id, kind, consoleUrl, submittedAs, status, backendStatus, message } = accepted;
  return {
    ref: { kind, id, ...(consoleUrl !== undefined && { consoleUrl }), ...(submittedAs !== undefined && { submittedAs }) },
    state: { status, backendStatus, ...(message !== undefined && { message }) },
  };
}

export interface BackendState {
  readonly status: JobStatus;
  /** The backend's own status words, e.g. Dataproc `RUNNING`, Databricks `TERMINATED/SUCCESS`. */
  readonly backendStatus: string;
  readonly message?: string;
}

/** A submission the gateway reserved but never saw confirmed, as the reconciler knows it from the ledger. */
export interface UnconfirmedSubmission {
  /** Our job id: the source of the backend's de-duplication keys. */
  readonly jobId: string;
  /** The template it was rendered from, when the catalog still has it. */
  readonly template?: Template;
  /** When the ledger row was reserved (ISO time): the backend job, if any, was created after it. */
  readonly reservedAt: string;
}

/** Which part of a job's driver output to read: byte `offset` into the whole output, at most `limit` bytes. */
export interface OutputRead {
  readonly offset: number;
  readonly limit: number;
}

/** A piece of a job's driver output: UTF-8 text cut at a character boundary, and where the next read starts. */
export interface OutputChunk {
  readonly text: string;
  readonly nextOffset: number;
  /** Nothing more exists beyond `nextOffset` yet (more may come while the job runs). */
  readonly atEnd: boolean;
}

/** What a backend can say about an unconfirmed submission without submitting anything. */
export type LookupResult =
  | { readonly outcome: 'found'; readonly job: BackendRef & BackendState }
  | { readonly outcome: 'absent' }
  /** The backend cannot tell; `candidates` are its jobs that might be this one, for a person to check. */
  | { readonly outcome: 'unknown'; readonly reason: string; readonly candidates?: readonly string[] };

export interface JobBackend {
  readonly name: BackendName;
  /** The request `submit` would send (for dry runs and for the audit trail). Pure: no I/O. */
  plan(submission: Submission): BackendRequest;
  /** Submit exactly once: retried calls with the same `jobId` must return the same backend job. */
  submit(submission: Submission): Promise<BackendRef & BackendState>;
  get(ref: BackendRef): Promise<BackendState>;
  cancel(ref: BackendRef): Promise<BackendState>;
  /** Find the job a submission with this id started, if any, without starting one (for the reconciler). */
  lookup?(submission: UnconfirmedSubmission): Promise<LookupResult>;
  /** The job's driver output from a byte offset; the output only ever grows, so an offset stays valid. */
  readOutput?(ref: BackendRef, read: OutputRead): Promise<OutputChunk>;
}
