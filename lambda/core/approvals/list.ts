// GET /approvals: the jobs awaiting a decision the caller may take, newest first, one page of the `pending` index at a
// time (pages may be short: jobs the caller may not decide are left out).
import type { JobView } from '../../../contract/api-schemas.js';
import { BadRequest } from '../errors.js';
import { InvalidCursor } from '../ledger.js';
import { principalKey, type Principal } from '../principal.js';
import { jobView, type RequestFacts } from '../jobs/context.js';
import { expireIfDue } from './end.js';
import type { ApprovalPorts } from './ports.js';
import { decidedBy, mayDecide } from './state.js';

export async function listApprovals(ports: ApprovalPorts, principal: Principal, options: { limit?: number; cursor?: string }, req: RequestFacts): Promise<{ jobs: JobView[]; nextCursor?: string }> {
  try {
    const page = await ports.ledger.listByPendingState('APPROVAL', { limit: options.limit ?? 20, cursor: options.cursor });
    const me = principalKey(principal);
    const jobs: JobView[] = [];
    for (const row of page.items) {
      if (!mayDecide(principal, row).allowed || row.approval!.decisions.some((d) => decidedBy(d) === me)) continue;
      const current = await expireIfDue(ports, row, req);
      if (current.status === 'AWAITING_APPROVAL') jobs.push(jobView(current, req));
    }
    return { jobs, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  } catch (err) {
    if (err instanceof InvalidCursor) throw new BadRequest(err.message, [{ pointer: 'query:cursor', detail: 'is not a cursor from this listing' }]);
    throw err;
  }
}
