// POST /jobs for a template with `approval`: the row is claimed like any submission (same ledger reservation, same
// Idempotency-Key replay) but waits in AWAITING_APPROVAL, bound to the rendered request, and nothing reaches a backend.
import { APPROVAL_EVENT_TYPES } from '../../../contract/approval-events.js';
import type { JobRecord } from '../ledger.js';
import { renderForReview } from '../render.js';
import { templateFacts, type JobsContext, type RequestFacts } from '../jobs/context.js';
import type { PreparedJob } from '../jobs/prepare.js';
import { publish } from './publish.js';
import { newApproval } from './state.js';

/** The reservation of a job that must wait for approval: the row `claim` writes instead of a queued one. */
export function awaitingApproval(job: PreparedJob, rendered: Record<string, unknown>): (reservation: JobRecord) => JobRecord {
  const bound = { requestHash: job.mac.approvalHash(rendered), request: renderForReview(job.template, job.masked), sealed: job.mac.seal(job.parameters) };
  return (reservation) => ({
    ...reservation,
    status: 'AWAITING_APPROVAL',
    backendStatus: 'AWAITING_APPROVAL',
    pending: 'APPROVAL',
    // Expiry counts from the row's own creation time, the time every listing shows.
    approval: newApproval(job.template.approval!, new Date(reservation.createdAt), bound),
  });
}

/** The new request, audited and published so approvers hear of it. */
export async function announceRequest(ctx: JobsContext, row: JobRecord, job: PreparedJob, req: RequestFacts): Promise<void> {
  const approval = row.approval!;
  ctx.audit(req, job.principal, {
    event: 'approval.requested',
    outcome: 'success',
    jobId: row.id,
    ...templateFacts(job.template),
    parameters: row.parameters,
    approvers: approval.approvers,
    required: approval.required,
    expiresAt: approval.expiresAt,
  });
  await publish(ctx, APPROVAL_EVENT_TYPES.requested, row, req, {});
}
