// A wait that ends without approval: rejected by an approver, expired, withdrawn by the submitter, or ended because the
// submitter was revoked. One compare-and-set each, so an end never overwrites a decision that won the race.
import { APPROVAL_EVENT_TYPES } from '../../../contract/approval-events.js';
import type { ApprovalDecision, JobRecord } from '../ledger.js';
import type { ActingRequest, ApprovalPorts } from './ports.js';
import { publish } from './publish.js';
import { isDue } from './state.js';

export type WaitEnd =
  | { readonly status: 'EXPIRED'; readonly reason: 'expired' }
  | { readonly status: 'CANCELLED'; readonly reason: 'withdrawn' }
  | { readonly status: 'REJECTED'; readonly reason: 'submitter_revoked' };

const MESSAGES: Record<WaitEnd['reason'], string> = {
  expired: 'no decision before the approval expired; submit it again to ask anew',
  withdrawn: 'withdrawn by the submitter before a decision',
  submitter_revoked: 'the submitter was revoked while the job awaited approval',
};

/**
 * End a job still awaiting approval. Returns the row as it is afterwards and whether this call ended it (false when a
 * decision or another end came first: the row says which).
 */
export async function endWaiting(ports: ApprovalPorts, row: JobRecord, end: WaitEnd, actor: ActorFacts, req: ActingRequest): Promise<{ ended: boolean; row: JobRecord }> {
  let current = row;
  for (;;) {
    if (current.status !== 'AWAITING_APPROVAL' || !current.approval) return { ended: false, row: current };
    const { applied, row: next } = await ports.ledger.transition(
      current.id,
      { status: 'AWAITING_APPROVAL', decisions: current.approval.decisions.length },
      { status: end.status, backendStatus: end.status, message: MESSAGES[end.reason], approval: current.approval },
      ports.timestamp(),
    );
    if (!applied) {
      current = next;
      continue;
    }
    await releaseSlot(ports, next);
    ports.record({
      event: 'approval.closed',
      outcome: 'success',
      principal: { issuer: actor.principal.issuer, subject: actor.principal.subject, kind: actor.principal.kind, ...(actor.principal.groups ? { groups: actor.principal.groups } : {}) },
      ...(actor.actor ? { actor: actor.actor } : {}),
      submitter: { issuer: next.principal.issuer, subject: next.principal.subject },
      jobId: next.id,
      template: next.template,
      backend: next.backend,
      reason: end.reason,
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
    await publish(ports, APPROVAL_EVENT_TYPES.decided, next, req, { outcome: end.status, reason: end.reason });
    return { ended: true, row: next };
  }
}

/** Who ends a wait: a person (the submitter, an admin revoking them) or the gateway itself (`actor: 'reconciler'`). */
export interface ActorFacts {
  readonly principal: Pick<ApprovalDecision['by'], 'issuer' | 'subject' | 'kind'> & { readonly groups?: readonly string[] };
  readonly actor?: 'reconciler' | 'gateway';
}

/** Expiry on read: a row past its expiry is ended before anyone sees it as still waiting. */
export async function expireIfDue(ports: ApprovalPorts, row: JobRecord, req: ActingRequest): Promise<JobRecord> {
  if (row.status !== 'AWAITING_APPROVAL' || !row.approval || !isDue(row.approval, ports.now())) return row;
  return (await endWaiting(ports, row, { status: 'EXPIRED', reason: 'expired' }, { principal: row.principal, actor: 'gateway' }, req)).row;
}

/** A job that ended gives its active slot back (claimed at request time, lambda/core/jobs/slots.ts). */
export async function releaseSlot(ports: Pick<ApprovalPorts, 'slots' | 'catalog'>, row: JobRecord): Promise<void> {
  if (ports.slots && ports.catalog.get(row.template)?.limits.maxActivePerPrincipal !== undefined) await ports.slots.release(row.principalKey, row.template, row.id);
}
