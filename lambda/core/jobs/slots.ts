// A template's limits.maxActivePerPrincipal: race-free slots where the ledger has them (lambda/core/ledger.ts
// ActiveSlots), a listing of active jobs otherwise. Slots are given back in lambda/core/jobs/status.ts.
import { isTerminal } from '../../../contract/job-status.js';
import type { Template } from '../../../contract/template.js';
import { TooManyRequests } from '../errors.js';
import { principalKey, type Principal } from '../principal.js';
import { templateFacts, type JobsContext, type RequestFacts } from './context.js';
import { refreshJob } from './status.js';

/** Hold one of the template's active slots for this job; when all are taken, free those of finished jobs and try again. */
export async function claimSlot(ctx: JobsContext, template: Template, principal: Principal, jobId: string): Promise<boolean> {
  const max = template.limits.maxActivePerPrincipal;
  const slots = ctx.slots;
  if (max === undefined || !slots) return true;
  const key = principalKey(principal);
  if (await slots.claim(key, template.id, jobId, max)) return true;
  let freed = false;
  for (const id of await slots.holders(key, template.id)) {
    if (id === jobId) continue;
    const row = await ctx.ledger.get(id);
    const current = row ? await refreshJob(ctx, row) : undefined;
    if (!current || isTerminal(current.status)) {
      await slots.release(key, template.id, id);
      freed = true;
    }
  }
  return freed && (await slots.claim(key, template.id, jobId, max));
}

/** Without slots: count the principal's active jobs of the template, and refuse when they fill the limit. */
export async function checkLimitByListing(ctx: JobsContext, template: Template, principal: Principal, req: RequestFacts): Promise<void> {
  const max = template.limits.maxActivePerPrincipal;
  if (max === undefined) return;
  const active = await ctx.ledger.listActive(principalKey(principal), template.id);
  if (active.length < max) return;
  // Refresh stale rows first: jobs that finished since they were last read no longer count.
  const current = await Promise.all(active.map((r) => refreshJob(ctx, r)));
  if (current.filter((r) => !isTerminal(r.status)).length < max) return;
  throw limitReached(ctx, template, principal, req);
}

/** The 429 a caller over the limit gets, audited. */
export function limitReached(ctx: JobsContext, template: Template, principal: Principal, req: RequestFacts): TooManyRequests {
  const max = template.limits.maxActivePerPrincipal ?? 0;
  ctx.audit(req, principal, { event: 'job.denied', outcome: 'denied', ...templateFacts(template), reason: 'active_limit' });
  return new TooManyRequests(`you already have ${max} active job${max === 1 ? '' : 's'} of template "${template.id}"; wait for one to finish`, 30);
}
