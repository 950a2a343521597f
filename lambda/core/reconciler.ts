// The reconciler: ledger rows reserved but never confirmed (a crash or a lost answer, and no retry came back) are
// settled against the backend — recorded when the backend has the job, failed when it does not or cannot tell.
import { randomUUID } from 'node:crypto';
import type { AuditTrail } from './audit.js';
import { splitAccepted, type JobBackend, type LookupResult } from './backend.js';
import { type BackendName } from '../../contract/backends.js';
import type { JobRecord, JobRows } from './ledger.js';
import type { Template } from '../../contract/template.js';

/** How a pending row was settled. */
export type Resolution =
  /** The backend has the job: its reference is recorded and the row follows it from now on. */
  | 'recorded'
  /** The backend has no such job: the row is FAILED (`NOT_SUBMITTED`); a retry with the same key gets that answer. */
  | 'abandoned'
  /** The backend cannot tell: the row is FAILED (`UNCONFIRMED`) with the candidate jobs named for a person to check. */
  | 'unconfirmed';

export interface ReconcileReport {
  /** Id of this pass, in every audit event it wrote. */
  readonly runId: string;
  readonly examined: number;
  readonly recorded: readonly string[];
  readonly abandoned: readonly string[];
  readonly unconfirmed: readonly string[];
  /** Confirmed by a retry while this pass ran: nothing to do. */
  readonly settledMeanwhile: readonly string[];
  /** The backend could not be asked; the rows stay pending for the next pass. */
  readonly failed: readonly string[];
}

export interface ReconcilerDeps {
  readonly ledger: JobRows;
  readonly backendFor: (name: BackendName) => Promise<JobBackend>;
  readonly catalog: { get(id: string): Template | undefined };
  readonly audit: AuditTrail;
  /**
   * Rows reserved longer ago than this are settled. It must exceed the longest a submit can run (the jobs function's
   * timeout, at most API Gateway's 29 s) by a wide margin, or a submit still in flight would be declared lost.
   */
  readonly pendingAfterMs: number;
  /** Rows read per query. @default 100 */
  readonly batchSize?: number;
  /** Most rows settled in one pass, so a pass ends well inside its function's timeout. @default 1000 */
  readonly maxRowsPerRun?: number;
  readonly now?: () => Date;
  readonly log?: { warn(message: string, extra?: Record<string, unknown>): void };
}

/** Below this a reservation could still belong to a submit in flight (29 s integration timeout, plus margin). */
const MIN_PENDING_AFTER_MS = 2 * 60_000;

export class InvalidReconcilerSetting extends Error {
  override readonly name = 'InvalidReconcilerSetting';
}

export class Reconciler {
  private readonly now: () => Date;

  constructor(private readonly deps: ReconcilerDeps) {
    if (!Number.isFinite(deps.pendingAfterMs) || deps.pendingAfterMs < MIN_PENDING_AFTER_MS) {
      throw new InvalidReconcilerSetting(`pendingAfterMs must be at least ${MIN_PENDING_AFTER_MS} ms (longer than any submit can take), got ${deps.pendingAfterMs}`);
    }
    this.now = deps.now ?? (() => new Date());
  }

  /** One pass over the pending rows older than the threshold. */
  async run(): Promise<ReconcileReport> {
    const runId = `reconcile-${randomUUID()}`;
    const olderThan = new Date(this.now().getTime() - this.deps.pendingAfterMs).toISOString();
    const batchSize = this.deps.batchSize ?? 100;
    const maxRows = this.deps.maxRowsPerRun ?? 1000;
    const seen = new Set<string>();
    const out = { recorded: [] as string[], abandoned: [] as string[], unconfirmed: [] as string[], settledMeanwhile: [] as string[], failed: [] as string[] };
    while (seen.size < maxRows) {
      // Settled rows leave the sparse index, so each query returns the next ones; rows that failed come back and are skipped.
      const fresh = (await this.deps.ledger.listPending(olderThan, batchSize)).filter((r) => !seen.has(r.id));
      if (!fresh.length) break;
      for (const row of fresh.slice(0, maxRows - seen.size)) {
        seen.add(row.id);
        const result = await this.settle(row, runId);
        if (result === 'failed') out.failed.push(row.id);
        else if (result === 'settledMeanwhile') out.settledMeanwhile.push(row.id);
        else out[result].push(row.id);
      }
    }
    return { runId, examined: seen.size, ...out };
  }

  private async settle(row: JobRecord, runId: string): Promise<Resolution | 'settledMeanwhile' | 'failed'> {
    const template = this.deps.catalog.get(row.template);
    let result: LookupResult;
    try {
      const backend = await this.deps.backendFor(row.backend);
      result = backend.lookup
        ? await backend.lookup({ jobId: row.id, template, reservedAt: row.createdAt })
        : { outcome: 'unknown', reason: `the ${row.backend} backend cannot look jobs up` };
    } catch (err) {
      const code = errorCode(err);
      this.deps.log?.warn('reconciler could not ask the backend; the row stays pending', { jobId: row.id, backend: row.backend, error: code });
      this.record(row, runId, { outcome: 'failure', reason: 'lookup_failed', error: code });
      return 'failed';
    }

    // A retry may have confirmed the job while we asked: never overwrite what it recorded.
    const current = await this.deps.ledger.get(row.id);
    if (!current || current.backendRef || current.pending !== 'RESERVED') return 'settledMeanwhile';

    const at = this.now().toISOString();
    switch (result.outcome) {
      case 'found': {
        const { ref, state } = splitAccepted(result.job);
        await this.deps.ledger.recordSubmission(row.id, ref, state, at);
        this.record(row, runId, { outcome: 'success', resolution: 'recorded', backendJobId: ref.id, status: state.status });
        return 'recorded';
      }
      case 'absent': {
        const message = `the submission never reached ${row.backend} and was not retried within ${minutes(this.deps.pendingAfterMs)}; submit it again`;
        await this.deps.ledger.updateStatus(row.id, { status: 'FAILED', backendStatus: 'NOT_SUBMITTED', message }, at);
        this.record(row, runId, { outcome: 'success', resolution: 'abandoned' });
        return 'abandoned';
      }
      case 'unknown': {
        const candidates = result.candidates ?? [];
        const named = candidates.length ? `; ${row.backend} jobs that may be it: ${candidates.slice(0, 10).join(', ')}${candidates.length > 10 ? ', …' : ''}` : '';
        const message = `the gateway could not confirm this submission: ${result.reason}${named}`;
        await this.deps.ledger.updateStatus(row.id, { status: 'FAILED', backendStatus: 'UNCONFIRMED', message }, at);
        this.record(row, runId, { outcome: 'success', resolution: 'unconfirmed', candidates, detail: result.reason });
        return 'unconfirmed';
      }
    }
  }

  private record(row: JobRecord, runId: string, facts: Record<string, unknown> & { outcome: 'success' | 'failure' }): void {
    this.deps.audit.record({
      event: 'job.reconciled',
      // The job's owner, so "what did principal Y run" finds it; the reconciler acts for the gateway itself.
      principal: row.principal,
      actor: 'reconciler',
      jobId: row.id,
      template: row.template,
      backend: row.backend,
      parameters: row.parameters,
      reservedAt: row.createdAt,
      requestId: runId,
      ...facts,
    });
  }
}

/** A short code for an error that is safe to log: backend codes as they are, otherwise the error's name. */
function errorCode(err: unknown): string {
  const e = err as { backendCode?: unknown; name?: unknown } | undefined;
  if (typeof e?.backendCode === 'string') return e.backendCode;
  return typeof e?.name === 'string' ? e.name : 'unknown';
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} minutes`;
