// POST /jobs/{id}/approve and /reject: who may decide (never the submitter, never an agent, only an approver group), one
// decision per approver, one compare-and-set per decision; the approval that completes the count sends the job.
import { APPROVAL_EVENT_TYPES } from '../../../contract/approval-events.js';
import { isJobId } from '../../../contract/job-id.js';
import { ApprovalConflict, BadRequest, Forbidden, JobNotFound } from '../errors.js';
import type { ApprovalDecision, ApprovalTransition, JobRecord } from '../ledger.js';
import { mayRead } from '../policy.js';
import { principalKey, type Principal } from '../principal.js';
import { expireIfDue, releaseSlot } from './end.js';
import { sendApproved } from './finish.js';
import type { ActingRequest, ApprovalPorts } from './ports.js';
import { publish } from './publish.js';
import { countedApprovals, decidedBy, mayDecide } from './state.js';

export type Decision = 'approve' | 'reject';

export async function decide(ports: ApprovalPorts, principal: Principal, id: string, decision: Decision, comment: string | undefined, req: ActingRequest): Promise<JobRecord> {
  const row = isJobId(id) ? await ports.ledger.get(id) : undefined;
  if (!row) throw new JobNotFound(`no job ${id}`);
  const refuse = (reason: string) =>
    ports.record({ event: 'approval.decided', outcome: 'denied', principal: actorOf(principal), jobId: row.id, template: row.template, decision, reason, requestId: req.requestId, sourceIp: req.sourceIp, userAgent: req.userAgent });

  const allowed = mayDecide(principal, row);
  if (!allowed.allowed) {
    refuse(allowed.reason);
    // The same answer as for a job that does not exist, unless the caller may read it anyway.
    if (allowed.reason !== 'self_approval' && !mayRead(principal, row, ports.access)) throw new JobNotFound(`no job ${id}`);
    throw new Forbidden(FORBIDDEN[allowed.reason]);
  }
  if (decision === 'reject' && !comment) {
    throw new BadRequest('a rejection needs a comment saying why', [{ pointer: '/comment', detail: 'is required to reject' }]);
  }

  let current = await expireIfDue(ports, row, req);
  for (;;) {
    if (current.status !== 'AWAITING_APPROVAL' || !current.approval) {
      refuse('not_awaiting');
      throw new ApprovalConflict(`job ${id} is no longer awaiting approval: it is ${current.status}`);
    }
    const approval = current.approval;
    if (approval.decisions.some((d) => decidedBy(d) === principalKey(principal))) {
      refuse('already_decided');
      throw new ApprovalConflict(`you have already decided on job ${id}`);
    }
    const made: ApprovalDecision = { by: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind }, decision, ...(comment ? { comment } : {}), at: ports.timestamp() };
    const next = { ...approval, decisions: [...approval.decisions, made] };
    const counted = decision === 'approve' ? countedApprovals(next, current.principalKey, await revokedApprovers(ports, next.decisions)).length : 0;
    const transition: ApprovalTransition =
      decision === 'reject'
        ? { status: 'REJECTED', backendStatus: 'REJECTED', message: `rejected by ${principal.subject}: ${comment}`, approval: next }
        : counted >= approval.required
          ? { status: 'QUEUED', backendStatus: 'APPROVED', approval: next, pending: 'APPROVED' }
          : { status: 'AWAITING_APPROVAL', backendStatus: 'AWAITING_APPROVAL', approval: next, pending: 'APPROVAL' };
    const { applied, row: written } = await ports.ledger.transition(current.id, { status: 'AWAITING_APPROVAL', decisions: approval.decisions.length }, transition, ports.timestamp());
    if (!applied) {
      // Another decision or an end came first: decide again on the row as it is now.
      current = written;
      continue;
    }
    const released = transition.pending === 'APPROVED';
    ports.record({
      event: 'approval.decided',
      outcome: 'success',
      principal: actorOf(principal),
      submitter: { issuer: written.principal.issuer, subject: written.principal.subject },
      jobId: written.id,
      template: written.template,
      backend: written.backend,
      decision,
      ...(comment ? { comment } : {}),
      approvals: counted,
      required: approval.required,
      released,
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
    await publish(ports, APPROVAL_EVENT_TYPES.decided, written, req, { outcome: written.status, decision, decidedBy: made.by, ...(comment ? { comment } : {}), released });
    if (written.status === 'REJECTED') await releaseSlot(ports, written);
    return released ? sendApproved(ports, written, { principal: actorOf(principal) }, req) : written;
  }
}

const FORBIDDEN: Record<'self_approval' | 'agent_cannot_approve' | 'not_approver', string> = {
  self_approval: 'you submitted this job: someone else must decide on it',
  agent_cannot_approve: 'agents never decide on approvals: a person in an approver group must',
  not_approver: 'you are not in an approver group of this job',
};

const actorOf = (p: Principal) => ({ issuer: p.issuer, subject: p.subject, kind: p.kind, groups: p.groups });

/** Approvers revoked since they decided: their decisions no longer count towards sending the job. */
async function revokedApprovers(ports: ApprovalPorts, decisions: readonly ApprovalDecision[]): Promise<Set<string>> {
  const revoked = new Set<string>();
  if (!ports.isRevoked) return revoked;
  for (const d of decisions) if (d.decision === 'approve' && (await ports.isRevoked(d.by.issuer, d.by.subject))) revoked.add(decidedBy(d));
  return revoked;
}
