// POST /jobs/{id}/cancel, and the cancel that revocation does for an admin (lambda/core/revocation-service.ts).
import type { JobView } from '../../../contract/api-schemas.js';
import { isTerminal } from '../../../contract/job-status.js';
import { JobNotCancellable, JobNotFound } from '../errors.js';
import type { JobRecord } from '../ledger.js';
import { mayCancel } from '../policy.js';
import type { Principal } from '../principal.js';
import { jobView, type JobsContext, type RequestFacts } from './context.js';
import { readableJob } from './read.js';
import { recordStatus } from './status.js';
import { endWaiting } from '../approvals/end.js';

export async function cancelJob(ctx: JobsContext, principal: Principal, id: string, req: RequestFacts, reason: string): Promise<JobView> {
  const row = await readableJob(ctx, principal, id);
  if (!mayCancel(principal, row, ctx.access)) {
    ctx.audit(req, principal, { event: 'job.cancel_denied', outcome: 'denied', jobId: id, template: row.template, backend: row.backend, reason: 'not_owner' });
    throw new JobNotFound(`no job ${id}`);
  }
  // Still awaiting approval: withdrawn, with no backend call (unless a decision sent it meanwhile: then cancelled there).
  const withdrawn = row.status === 'AWAITING_APPROVAL' ? await endWaiting(ctx, row, { status: 'CANCELLED', reason: 'withdrawn' }, { principal }, req) : undefined;
  if (withdrawn?.ended) return jobView(withdrawn.row, req);
  return jobView(await cancelRow(ctx, withdrawn?.row ?? row, principal, req, reason), req);
}

/** Cancel a job on its backend and record it; `actor` is whoever asked (the owner, or an admin revoking the owner). */
export async function cancelRow(ctx: JobsContext, row: JobRecord, actor: Principal, req: RequestFacts, reason: string): Promise<JobRecord> {
  if (isTerminal(row.status)) throw new JobNotCancellable(`job ${row.id} is already ${row.status}`);
  if (!row.backendRef) throw new JobNotCancellable(`job ${row.id} has not reached its backend yet; retry in a few seconds`);
  const backend = await ctx.backendFor(row);
  const started = Date.now();
  const state = await backend.cancel(row.backendRef);
  ctx.metrics.backendLatency(row.backend, 'cancel', Date.now() - started);
  const updated = await recordStatus(ctx, row.id, { ...state, cancelRequested: true });
  ctx.metrics.cancelled(row.backend, row.template);
  ctx.audit(req, actor, { event: 'job.cancelled', outcome: 'success', jobId: row.id, template: row.template, backend: row.backend, backendJobId: row.backendRef.id, reason });
  return updated;
}
