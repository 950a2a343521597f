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
  /** Set while reserved and not yet confirmed by the backend (the sparse `pending` index). */
  readonly pending?: 'RESERVED';
  readonly cancelRequested?: boolean;
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
}

/** What the reconciler needs of the ledger: existing rows only, none created or deleted. */
export type JobRows = Pick<Ledger, 'get' | 'listPending' | 'recordSubmission' | 'updateStatus'>;

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
