// An approved job goes to its backend: the request rendered again from the sealed parameters must be the one approved
// (its MAC), and it is sent with the job id's backend de-duplication, like every submission (lambda/core/jobs/send.ts),
// so the approver's request, its retries and the reconciler finishing an interrupted one start one backend job.
import { splitAccepted, type Submission } from '../backend.js';
import { BackendFailure, GatewayError } from '../errors.js';
import type { JobRecord } from '../ledger.js';
import { renderRequest } from '../render.js';
import type { ActingRequest, ApprovalPorts } from './ports.js';
import { releaseSlot } from './end.js';

/** Who sends it: the approver whose decision completed it, or the reconciler finishing what a crash interrupted. */
export type Sender = { readonly principal: { issuer: string; subject: string; kind: JobRecord['principal']['kind']; groups?: readonly string[] } } | { readonly actor: 'reconciler' };

export async function sendApproved(ports: ApprovalPorts, row: JobRecord, sender: Sender, req: ActingRequest): Promise<JobRecord> {
  if (row.pending !== 'APPROVED' || row.backendRef || !row.approval) return row;
  const template = ports.catalog.get(row.template);
  const facts = { jobId: row.id, template: row.template, backend: row.backend, parameters: row.parameters, requestId: req.requestId, sourceIp: req.sourceIp, userAgent: req.userAgent };
  // The submitter's job: audited as theirs, with whoever sent it alongside.
  const who = 'actor' in sender ? { principal: row.principal, actor: sender.actor } : { principal: row.principal, sentBy: sender.principal };
  const mac = await ports.keyed();
  let submission: Submission;
  try {
    if (!template) throw new NotAsApproved(`template "${row.template}" no longer exists`);
    // Revoking the submitter ends what they asked for, even approved: the reconciler must not send it for them later.
    if (await ports.isRevoked?.(row.principal.issuer, row.principal.subject)) throw new NotAsApproved('the submitter was revoked before the job was sent');
    const rendered = renderRequest(template, mac.unseal(row.approval.sealed) as Record<string, unknown>);
    if (mac.approvalHash(rendered) !== row.approval.requestHash) throw new NotAsApproved(`template "${row.template}" renders another request than the one approved`);
    const principal = { ...row.principal, groups: [], scopes: [] };
    submission = { jobId: row.id, template, rendered, principal, principalTag: mac.principalTag(principal) };
  } catch (err) {
    // What was approved can no longer be sent as approved: end it rather than run something else.
    const message = `${err instanceof Error ? err.message : 'the approved request cannot be rendered again'}; submit it again to ask for a new approval`;
    const ended = await ports.ledger.updateStatus(row.id, { status: 'FAILED', backendStatus: 'NOT_AS_APPROVED', message }, ports.timestamp());
    await releaseSlot(ports, ended);
    ports.record({ event: 'job.submit_failed', outcome: 'failure', ...who, ...facts, reason: 'not_as_approved', detail: message });
    return ended;
  }
  const backend = await ports.backendFor(template);
  try {
    const started = Date.now();
    const accepted = await backend.submit(submission);
    ports.metrics.backendLatency(template.backend, 'submit', Date.now() - started);
    const { ref, state } = splitAccepted(accepted);
    const recorded = await ports.ledger.recordSubmission(row.id, ref, state, ports.timestamp());
    ports.metrics.submitted(template.backend, template.id);
    ports.record({ event: 'job.submitted', outcome: 'success', ...who, ...facts, datasets: template.datasets, backendJobId: ref.id, approvedBy: approvers(row) });
    return recorded;
  } catch (err) {
    const code = err instanceof BackendFailure || (err instanceof GatewayError && 'backendCode' in err) ? String((err as { backendCode: unknown }).backendCode) : 'internal';
    ports.metrics.submitFailed(template.backend, template.id, code);
    ports.record({ event: 'job.submit_failed', outcome: 'failure', ...who, ...facts, reason: code, ...(err instanceof Error ? { detail: err.message } : {}) });
    // A definite refusal ends the job; anything else leaves it APPROVED for the reconciler to send again.
    if (err instanceof GatewayError && !(err instanceof BackendFailure)) {
      const ended = await ports.ledger.updateStatus(row.id, { status: 'FAILED', backendStatus: 'REJECTED', message: err.message }, ports.timestamp());
      await releaseSlot(ports, ended);
      return ended;
    }
    ports.log?.warn('approved job not sent; the reconciler will send it', { jobId: row.id, error: code });
    return (await ports.ledger.get(row.id)) ?? row;
  }
}

const approvers = (row: JobRecord) => row.approval!.decisions.filter((d) => d.decision === 'approve').map((d) => ({ issuer: d.by.issuer, subject: d.by.subject }));

class NotAsApproved extends Error {
  override readonly name = 'NotAsApproved';
}
