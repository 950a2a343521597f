// The reconciler's part in approvals: end requests past their expiry, and send approved jobs whose send a crash or a
// backend outage interrupted (their row stays `APPROVED` in the pending index until the backend confirms).
import { randomUUID } from 'node:crypto';
import type { JobRecord } from '../ledger.js';
import { endWaiting } from './end.js';
import { sendApproved } from './finish.js';
import type { ApprovalPorts } from './ports.js';
import { isDue } from './state.js';

export interface ApprovalSweepReport {
  readonly runId: string;
  /** Ended EXPIRED in this pass. */
  readonly expired: readonly string[];
  /** Approved jobs this pass sent (or found sent: the backend's de-duplication answers with the job it has). */
  readonly sent: readonly string[];
  /** Approved jobs still not sent (the backend failed again): tried again next pass. */
  readonly unsent: readonly string[];
  /** Jobs still awaiting a decision after this pass, with how long each has waited: the dashboard's signal. */
  readonly waiting: readonly { readonly jobId: string; readonly template: string; readonly ageMs: number; readonly expiresAfterMs: number }[];
}

export class ApprovalSweep {
  constructor(
    private readonly ports: ApprovalPorts,
    /** Approved rows untouched for longer than this are sent again; shorter, the approver's own request may still be sending. */
    private readonly sendAfterMs: number,
    private readonly batchSize = 100,
  ) {}

  async run(): Promise<ApprovalSweepReport> {
    const runId = `approvals-${randomUUID()}`;
    const req = { requestId: runId };
    const now = this.ports.now();
    const out = { expired: [] as string[], sent: [] as string[], unsent: [] as string[], waiting: [] as ApprovalSweepReport['waiting'][number][] };
    for await (const row of this.rows('APPROVAL')) {
      if (isDue(row.approval!, now)) {
        const { ended } = await endWaiting(this.ports, row, { status: 'EXPIRED', reason: 'expired' }, { principal: row.principal, actor: 'reconciler' }, req);
        if (ended) out.expired.push(row.id);
      } else {
        const created = Date.parse(row.createdAt);
        out.waiting.push({ jobId: row.id, template: row.template, ageMs: now.getTime() - created, expiresAfterMs: Date.parse(row.approval!.expiresAt) - created });
      }
    }
    const before = now.getTime() - this.sendAfterMs;
    for await (const row of this.rows('APPROVED')) {
      if (Date.parse(row.updatedAt) > before) continue;
      const after = await sendApproved(this.ports, row, { actor: 'reconciler' }, req);
      (after.backendRef || after.pending !== 'APPROVED' ? out.sent : out.unsent).push(row.id);
    }
    return { runId, ...out };
  }

  private async *rows(state: 'APPROVAL' | 'APPROVED'): AsyncGenerator<JobRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.ports.ledger.listByPendingState(state, { limit: this.batchSize, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }
}
