// The job ledger: one row per job, reserved before the backend is called, so a retry never starts a second job.
import type { BackendRef } from './backend.js';
import type { BackendName } from '../../contract/backends.js';
import type { PrincipalKind } from './principal.js';
import type { JobStatus } from '../../contract/job-status.js';

export interface JobRecord {
  readonly id: string;
  readonly template: string;
  readonly backend: BackendName;
  readonly status: JobStatus;
  readonly backendStatus: string;
  readonly message?: string;
  /** As submitted, with sensitive parameters masked. */
  readonly parameters: Record<string, unknown>;
  /** SHA-256 of the canonical request: a reused Idempotency-Key with another body is a conflict. */
  readonly requestHash: string;
  readonly principal: { readonly issuer: string; readonly subject: string; readonly kind: PrincipalKind };
  readonly principalKey: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Present once the backend accepted the job. */
  readonly backendRef?: BackendRef;
  /**
   * The sparse `pending` index: `RESERVED` while reserved and not yet confirmed by the backend, `APPROVAL` while it
   * waits for approval, `APPROVED` once approved and not yet confirmed by the backend (lambda/core/approvals/).
   */
  readonly pending?: PendingState;
  readonly cancelRequested?: boolean;
  /** Templates with `approval`: who decided what, and the request they decided on (lambda/core/approvals/state.ts). */
  readonly approval?: ApprovalState;
}

type PendingState = 'RESERVED' | 'APPROVAL' | 'APPROVED';

/** One person's decision on a job awaiting approval. */
export interface ApprovalDecision {
  readonly by: { readonly issuer: string; readonly subject: string; readonly kind: PrincipalKind };
  readonly decision: 'approve' | 'reject';
  readonly comment?: string;
  readonly at: string;
}

export interface ApprovalState {
  /** The template's approver groups and count when the job was requested: the rules it is decided by. */
  readonly approvers: readonly string[];
  readonly required: number;
  readonly expiresAt: string;
  readonly decisions: readonly ApprovalDecision[];
  /** Keyed MAC of the rendered backend request the approvers decide on: what runs is exactly that. */
  readonly requestHash: string;
  /** That request as approvers see it: secret values `***`, personal ones as fingerprints. */
  readonly request: Record<string, unknown>;
  /** The unmasked parameters, sealed with the deployment's key (lambda/core/keyed-hash.ts), to render the request again once approved. */
  readonly sealed: string;
}

/** What an approval step writes, when the row is still as it was read. */
export interface ApprovalTransition {
  readonly status: JobStatus;
  readonly backendStatus: string;
  readonly message?: string;
  readonly approval: ApprovalState;
  /** The row's next pending state; none removes it (a terminal end). */
  readonly pending?: PendingState;
}

/** GET /jobs filters; every one given must match. */
export interface JobFilter {
  readonly status?: JobStatus;
  readonly template?: string;
  /** ISO time (UTC): jobs created at or after it. */
  readonly since?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** A cursor that does not belong to this listing: tampered with, or from another principal. */
export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
}

export interface Ledger {
  /** Put the row if no row has this id; otherwise return the existing row untouched. */
  reserve(job: JobRecord): Promise<{ created: true; job: JobRecord } | { created: false; job: JobRecord }>;
  /** Record the backend's acceptance (idempotent: concurrent retries record the same reference). */
  recordSubmission(id: string, ref: BackendRef, state: { status: JobStatus; backendStatus: string; message?: string }, at: string): Promise<JobRecord>;
  /** Update status; terminal statuses are never overwritten by stale non-terminal ones. */
  updateStatus(id: string, state: { status: JobStatus; backendStatus: string; message?: string; cancelRequested?: boolean }, at: string): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Delete a reservation the backend never saw (a submission refused after reserving); false when it moved on meanwhile. */
  discard(id: string): Promise<boolean>;
  /**
   * A principal's jobs, newest first, at most `limit` per page; with a filter a page may hold fewer (even none) and
   * still have a `nextCursor`, as the ledger reads a bounded number of rows per page.
   */
  listByPrincipal(principalKey: string, options: { limit: number; cursor?: string; filter?: JobFilter }): Promise<Page<JobRecord>>;
  /** Jobs of a principal that are not terminal (for per-principal limits and revocation). */
  listActive(principalKey: string, template?: string): Promise<JobRecord[]>;
  /** Rows still reserved and created before `olderThan` (ISO time), for the reconciler. */
  listPending(olderThan: string, limit: number): Promise<JobRecord[]>;
  /**
   * Compare-and-set for approvals: write `next` only if the row still has `expected.status` and exactly
   * `expected.decisions` decisions, so of two concurrent deciders exactly one moves the row on.
   */
  transition(id: string, expected: { status: JobStatus; decisions: number }, next: ApprovalTransition, at: string): Promise<{ applied: boolean; row: JobRecord }>;
  /** Rows in one approval state of the `pending` index, newest first. */
  listByPendingState(state: 'APPROVAL' | 'APPROVED', options: { limit: number; cursor?: string }): Promise<Page<JobRecord>>;
}

/** What the reconciler needs of the ledger: existing rows only, none created or deleted. */
export type JobRows = Pick<Ledger, 'get' | 'listPending' | 'recordSubmission' | 'updateStatus' | 'transition' | 'listByPendingState'>;

/**
 * Active-job slots per (principal, template): a set of job ids whose size is the number of active jobs. Claiming is one
 * conditional write, so concurrent submissions cannot overshoot a limit; a set (not a counter) makes claim and release
 * idempotent per job, so retries and crashes never leak or double-count a slot.
 */
export interface ActiveSlots {
  /** Add `jobId` to the set unless it already holds `max` other jobs. True when the job holds a slot afterwards. */
  claim(principalKey: string, template: string, jobId: string, max: number): Promise<boolean>;
  release(principalKey: string, template: string, jobId: string): Promise<void>;
  holders(principalKey: string, template: string): Promise<string[]>;
}
