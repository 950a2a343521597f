// A job's status once it reached its backend: read from the backend, written to the ledger; a job that ends gives its
// active slot back here, on every path (read, list, cancel, rejection, revocation).
import { isTerminal } from '../../../contract/job-status.js';
import type { JobRecord, Ledger } from '../ledger.js';
import type { JobsContext } from './context.js';

/** Ask the backend for the current state of an unfinished job; a flaky backend never fails a read. */
export async function refreshJob(ctx: JobsContext, row: JobRecord): Promise<JobRecord> {
  if (isTerminal(row.status) || !row.backendRef) return row;
  const started = Date.now();
  try {
    const state = await (await ctx.backendFor(row)).get(row.backendRef);
    ctx.metrics.backendLatency(row.backend, 'get', Date.now() - started);
    if (state.status === row.status && state.backendStatus === row.backendStatus && state.message === row.message) return row;
    return await recordStatus(ctx, row.id, state);
  } catch (err) {
    ctx.log?.warn('status refresh failed; answering from the ledger', { jobId: row.id, error: err instanceof Error ? err.name : 'unknown' });
    return row;
  }
}

/** Write a job's new status; when it has just ended, release its slot (claimed in lambda/core/jobs/slots.ts). */
export async function recordStatus(ctx: JobsContext, id: string, state: Parameters<Ledger['updateStatus']>[1]): Promise<JobRecord> {
  const row = await ctx.ledger.updateStatus(id, state, ctx.timestamp());
  const limited = ctx.catalog.get(row.template)?.limits.maxActivePerPrincipal !== undefined;
  if (limited && ctx.slots && isTerminal(row.status)) await ctx.slots.release(row.principalKey, row.template, row.id);
  return row;
}
