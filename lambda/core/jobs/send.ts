// Send and settle: the one backend call of a submission, then its outcome in the ledger, the metrics and the audit trail.
import { splitAccepted, type BackendRef, type BackendState } from '../backend.js';
import { BackendFailure, GatewayError } from '../errors.js';
import type { JobRecord } from '../ledger.js';
import { templateFacts, type JobsContext, type RequestFacts } from './context.js';
import type { PreparedJob } from './prepare.js';
import { recordStatus } from './status.js';

/** Submit to the backend: its de-duplication by our job id makes a second send of the same row start nothing new. */
export async function send(ctx: JobsContext, job: PreparedJob): Promise<BackendRef & BackendState> {
  const started = Date.now();
  const accepted = await job.backend.submit(job.submission);
  ctx.metrics.backendLatency(job.template.backend, 'submit', Date.now() - started);
  return accepted;
}

/** Record the backend's acceptance on the row (no longer pending), count it and audit it. */
export async function settle(ctx: JobsContext, row: JobRecord, job: PreparedJob, accepted: BackendRef & BackendState, req: RequestFacts): Promise<JobRecord> {
  const { template, principal } = job;
  const { ref, state } = splitAccepted(accepted);
  const recorded = await ctx.ledger.recordSubmission(row.id, ref, state, ctx.timestamp());
  ctx.metrics.submitted(template.backend, template.id);
  ctx.audit(req, principal, {
    event: 'job.submitted',
    outcome: 'success',
    jobId: row.id,
    ...templateFacts(template),
    backendJobId: ref.id,
    parameters: row.parameters,
  });
  return recorded;
}

/** A send or settle that failed: counted and audited; a definite rejection ends the job, a transient failure leaves it reserved for a retry (or the reconciler). */
export async function settleFailure(ctx: JobsContext, row: JobRecord, job: PreparedJob, err: unknown, req: RequestFacts): Promise<void> {
  const { template, principal } = job;
  const code = err instanceof BackendFailure || (err instanceof GatewayError && 'backendCode' in err) ? String((err as { backendCode: unknown }).backendCode) : 'internal';
  ctx.metrics.submitFailed(template.backend, template.id, code);
  ctx.audit(req, principal, {
    event: 'job.submit_failed',
    outcome: 'failure',
    jobId: row.id,
    ...templateFacts(template),
    parameters: row.parameters,
    reason: code,
    // The caller sees only the code and the request id (errors.ts serverSideDetail); the full message is kept here.
    ...(err instanceof Error ? { detail: err.message } : {}),
  });
  if (err instanceof GatewayError && !(err instanceof BackendFailure)) {
    await recordStatus(ctx, row.id, { status: 'FAILED', backendStatus: 'REJECTED', message: err.message });
  }
}
