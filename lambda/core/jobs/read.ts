// GET /jobs and GET /jobs/{id}: rows the caller may read, refreshed from the backend while unfinished.
import type { JobView } from '../../../contract/api-schemas.js';
import { isJobId } from '../../../contract/job-id.js';
import { BadRequest, Forbidden, JobNotFound } from '../errors.js';
import { InvalidCursor, type JobFilter, type JobRecord } from '../ledger.js';
import { mayListOthers, mayRead } from '../policy.js';
import { principalKey, type Principal } from '../principal.js';
import { jobView, type JobsContext, type RequestFacts } from './context.js';
import { refreshJob } from './status.js';
import { expireIfDue } from '../approvals/end.js';
import { mayDecide } from '../approvals/state.js';

/** A job the caller may read; otherwise 404, exactly as for a job that does not exist. */
export async function readableJob(ctx: JobsContext, principal: Principal, id: string): Promise<JobRecord> {
  const row = isJobId(id) ? await ctx.ledger.get(id) : undefined;
  // Approvers read the jobs they may decide on: the rendered request is what they decide.
  if (!row || !(mayRead(principal, row, ctx.access) || mayDecide(principal, row).allowed)) throw new JobNotFound(`no job ${id}`);
  return row;
}

export async function getJob(ctx: JobsContext, principal: Principal, id: string, req: RequestFacts): Promise<JobView> {
  const row = await expireIfDue(ctx, await readableJob(ctx, principal, id), req);
  return jobView(await refreshJob(ctx, row), req);
}

export interface ListOptions {
  readonly limit?: number;
  readonly cursor?: string;
  /** Another principal's key (`issuer#subject`), for auditors and admins. */
  readonly principal?: string;
  readonly filter?: JobFilter;
}

export async function listJobs(
  ctx: JobsContext,
  principal: Principal,
  options: ListOptions,
  req: RequestFacts,
): Promise<{ jobs: JobView[]; nextCursor?: string }> {
  let key = principalKey(principal);
  if (options.principal !== undefined && options.principal !== key) {
    if (!mayListOthers(principal, ctx.access)) {
      throw new Forbidden('only auditors and admins may list the jobs of another principal');
    }
    key = options.principal;
  }
  try {
    const page = await ctx.ledger.listByPrincipal(key, { limit: options.limit ?? 20, cursor: options.cursor, filter: options.filter });
    // Unfinished jobs are refreshed like GET /jobs/{id}, so a listing never shows a status the backend has moved past.
    const rows = await Promise.all(page.items.map(async (r) => refreshJob(ctx, await expireIfDue(ctx, r, req))));
    return { jobs: rows.map((r) => jobView(r, req)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  } catch (err) {
    if (err instanceof InvalidCursor) throw new BadRequest(err.message, [{ pointer: 'query:cursor', detail: 'is not a cursor from this listing' }]);
    throw err;
  }
}
