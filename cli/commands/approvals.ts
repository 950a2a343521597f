// djg approvals, approve, reject: the jobs awaiting your decision, and deciding on one (docs/approvals.md).
import type { JobList } from '../../contract/api-schemas.js';
import { isJobId } from '../../contract/job-id.js';
import { route } from '../api-routes.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import type { Job } from '../job-watch.js';
import { renderTable } from '../output.js';
import { renderJob } from './jobs.js';

export interface ApprovalsFlags {
  readonly limit: string;
}

/** GET /approvals, page by page up to --limit (pages may be short: the gateway leaves out jobs you may not decide). */
export async function listApprovals(ctx: Context, flags: ApprovalsFlags): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit takes a whole number from 1 to 1000 (got ${JSON.stringify(flags.limit)})`);
  const jobs: Job[] = [];
  let cursor: string | undefined;
  // bounded, like djg ls
  for (let page = 0; page < 50 && jobs.length < limit; page++) {
    const { body } = await ctx.client().call<JobList>(route('GET /approvals'), { query: { limit: '100', cursor } });
    jobs.push(...(body.jobs as Job[]).slice(0, limit - jobs.length));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  ctx.print({ jobs }, () =>
    jobs.length
      ? renderTable(
          ['ID', 'TEMPLATE', 'SUBMITTER', 'APPROVALS', 'CREATED', 'EXPIRES'],
          jobs.map((j) => [j.id, j.template, j.principal.subject, `${j.approval!.decisions.filter((d) => d.decision === 'approve').length}/${j.approval!.required}`, j.createdAt, j.approval!.expiresAt]),
        )
      : 'nothing awaits your decision\n',
  );
  return EXIT.ok;
}

export async function decide(ctx: Context, id: string, decision: 'approve' | 'reject', flags: { readonly comment?: string }): Promise<number> {
  if (!isJobId(id)) throw new UsageError(`${JSON.stringify(id)} is not a job id (job- and 26 letters and digits, as djg approvals prints them)`);
  if (decision === 'reject' && !flags.comment) throw new UsageError('djg reject needs --comment "why": the submitter and the audit trail read it');
  if (flags.comment !== undefined && (flags.comment.length < 1 || flags.comment.length > 1000)) throw new UsageError('--comment takes 1 to 1,000 characters');
  const { body: job } = await ctx.client().call<Job>(route(decision === 'approve' ? 'POST /jobs/{id}/approve' : 'POST /jobs/{id}/reject', { id }), {
    body: flags.comment !== undefined ? { comment: flags.comment } : {},
  });
  ctx.note(decision === 'reject' ? `rejected ${job.id}` : job.status === 'AWAITING_APPROVAL' ? `approved ${job.id}; it still needs ${remaining(job)} more` : `approved ${job.id}: sent (${job.status})`);
  ctx.print(job, () => renderJob(job));
  return EXIT.ok;
}

function remaining(job: Job): number {
  const a = job.approval!;
  return Math.max(0, a.required - a.decisions.filter((d) => d.decision === 'approve').length);
}
