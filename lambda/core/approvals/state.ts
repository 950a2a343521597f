// Pure rules of an approval: who may decide, which decisions count, when it is due, and how the API shows it.
import type { ApprovalView } from '../../../contract/api-schemas.js';
import type { TemplateApproval } from '../../../contract/template.js';
import type { ApprovalDecision, ApprovalState, JobRecord } from '../ledger.js';
import { principalKey, type Principal } from '../principal.js';

/** Why a caller may not decide on a job. */
export type DecideRefusal = 'self_approval' | 'agent_cannot_approve' | 'not_approver';

/**
 * May this caller decide on this job? Never the submitter (even in an approver group), never an agent or a token
 * whose kind is unknown, only members of the approver groups recorded on the job.
 */
export function mayDecide(p: Principal, row: Pick<JobRecord, 'principalKey' | 'approval'>): { allowed: true } | { allowed: false; reason: DecideRefusal } {
  if (!row.approval) return { allowed: false, reason: 'not_approver' };
  if (principalKey(p) === row.principalKey) return { allowed: false, reason: 'self_approval' };
  if (!p.groups.some((g) => row.approval!.approvers.includes(g))) return { allowed: false, reason: 'not_approver' };
  if (p.kind !== 'user') return { allowed: false, reason: 'agent_cannot_approve' };
  return { allowed: true };
}

export const decidedBy = (d: ApprovalDecision) => principalKey(d.by);

/** The approvals that count: distinct approvers, none of them the submitter, none revoked since. */
export function countedApprovals(state: ApprovalState, submitterKey: string, revoked: ReadonlySet<string>): ApprovalDecision[] {
  const seen = new Set<string>();
  return state.decisions.filter((d) => {
    const key = decidedBy(d);
    if (d.decision !== 'approve' || key === submitterKey || revoked.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const isDue = (state: ApprovalState, now: Date): boolean => now.getTime() >= Date.parse(state.expiresAt);

/** The approval as a new request starts it. */
export function newApproval(rules: TemplateApproval, now: Date, bound: Pick<ApprovalState, 'requestHash' | 'request' | 'sealed'>): ApprovalState {
  return {
    approvers: [...rules.approvers],
    required: rules.required,
    expiresAt: new Date(now.getTime() + rules.expiresAfterMinutes * 60_000).toISOString(),
    decisions: [],
    ...bound,
  };
}

/** The approval as the API shows it (contract/api-schemas.ts ApprovalView): never the sealed parameters or the MAC. */
export function approvalView(s: ApprovalState): ApprovalView {
  return {
    approvers: [...s.approvers],
    required: s.required,
    decisions: s.decisions.map((d) => ({ by: d.by, decision: d.decision, ...(d.comment !== undefined ? { comment: d.comment } : {}), at: d.at })),
    expiresAt: s.expiresAt,
    request: s.request,
  };
}
