// Claim: the ledger row (and the active slot) that makes a submission exactly-once, or the answer a retry already has.
import { IdempotencyConflict } from '../errors.js';
import { legacyRequestHash } from '../ids.js';
import { MAC_PREFIX } from '../keyed-hash.js';
import type { JobRecord } from '../ledger.js';
import { principalKey } from '../principal.js';
import { templateFacts, type JobsContext, type RequestFacts } from './context.js';
import type { PreparedJob } from './prepare.js';
import { checkLimitByListing, claimSlot, limitReached } from './slots.js';

export type Claim =
  /** The row already holds the backend's answer: the retry is answered from it. */
  | { readonly kind: 'answered'; readonly row: JobRecord }
  /** The row is reserved and the job holds its slot: send it (again, after a crash, when `replayed`). */
  | { readonly kind: 'send'; readonly row: JobRecord; readonly replayed: boolean };

/** `shape` turns the queued reservation into another first state (a job awaiting approval, lambda/core/approvals/request.ts). */
export async function claim(ctx: JobsContext, job: PreparedJob, req: RequestFacts, shape: (r: JobRecord) => JobRecord = (r) => r): Promise<Claim> {
  const record = shape(reservation(ctx, job));
  // A retry of a request that already has a ledger row is answered from the row, before any limit applies.
  const existing = job.idempotent ? await ctx.ledger.get(job.jobId) : undefined;
  if (existing) return replay(ctx, existing, record, job, req);

  if (!ctx.slots) await checkLimitByListing(ctx, job.template, job.principal, req);
  const reserved = await ctx.ledger.reserve(record);
  if (!reserved.created) return replay(ctx, reserved.job, record, job, req);
  // The row exists before the slot is claimed, so every slot holder has a row and a stale one can be told apart.
  if (!(await claimSlot(ctx, job.template, job.principal, job.jobId))) {
    await ctx.ledger.discard(job.jobId);
    throw limitReached(ctx, job.template, job.principal, req);
  }
  return { kind: 'send', row: reserved.job, replayed: false };
}

/** A row exists for this id: same request → the same job (sent again if a crash interrupted it); another body → 409. */
async function replay(ctx: JobsContext, existing: JobRecord, record: JobRecord, job: PreparedJob, req: RequestFacts): Promise<Claim> {
  if (!sameRequest(existing, record, job) || existing.principalKey !== record.principalKey) {
    ctx.audit(req, job.principal, { event: 'job.denied', outcome: 'denied', jobId: existing.id, ...templateFacts(job.template), reason: 'idempotency_conflict' });
    throw new IdempotencyConflict('this Idempotency-Key was already used with a different request');
  }
  if (existing.backendRef || existing.pending !== 'RESERVED') return { kind: 'answered', row: existing };
  // Reserved but never confirmed (a crash or a timeout between reserve and record): the backend's own de-duplication makes this safe.
  if (!(await claimSlot(ctx, job.template, job.principal, existing.id))) throw limitReached(ctx, job.template, job.principal, req);
  return { kind: 'send', row: existing, replayed: true };
}

/** The row this submission reserves: queued, not yet seen by the backend. */
function reservation(ctx: JobsContext, job: PreparedJob): JobRecord {
  const { template, principal } = job;
  const now = ctx.timestamp();
  return {
    id: job.jobId,
    template: template.id,
    backend: template.backend,
    status: 'QUEUED',
    backendStatus: 'RESERVED',
    parameters: job.masked,
    requestHash: job.mac.requestHash({ template: template.id, parameters: job.parameters }),
    principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind },
    principalKey: principalKey(principal),
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Whether a stored row is this request. Rows written before keyed MACs hold a bare SHA-256 hex: compare like with like,
 * so an Idempotency-Key used before the upgrade still replays (and still conflicts on another body).
 */
function sameRequest(stored: JobRecord, record: JobRecord, job: PreparedJob): boolean {
  if (stored.requestHash.startsWith(MAC_PREFIX)) return stored.requestHash === record.requestHash;
  return stored.requestHash === legacyRequestHash({ template: job.template.id, parameters: job.parameters });
}
