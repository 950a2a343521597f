// The detail of an approval event (contract/approval-events.ts): enough to route it and to act on it, nothing secret.
import type { ApprovalEventType } from '../../../contract/approval-events.js';
import type { JobRecord } from '../ledger.js';
import type { ActingRequest, ApprovalPorts } from './ports.js';

/** Publish, never fail: the ledger and the audit trail already hold the decision; a lost notification is logged. */
export async function publish(ports: Pick<ApprovalPorts, 'events' | 'log'>, type: ApprovalEventType, row: JobRecord, req: ActingRequest, facts: Record<string, unknown>): Promise<void> {
  const a = row.approval!;
  const detail = {
    jobId: row.id,
    template: row.template,
    backend: row.backend,
    status: row.status,
    submitter: row.principal,
    approvers: a.approvers,
    required: a.required,
    approvals: a.decisions.filter((d) => d.decision === 'approve').length,
    expiresAt: a.expiresAt,
    requestId: req.requestId,
    ...facts,
  };
  try {
    await ports.events.publish(type, detail);
  } catch (err) {
    ports.log?.warn('approval event not published', { jobId: row.id, detailType: type, error: err instanceof Error ? err.name : 'unknown' });
  }
}
