// djg submit, status, wait, cancel, ls, logs, open: the jobs API, with exit codes that tell a job's outcome.
import type { JobList, JobOutput } from '../../contract/api-schemas.js';
import { ApiProblem } from '../api-client.js';
import { route } from '../api-routes.js';
import type { Context } from '../context.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { nowOf, sleepOf } from '../io.js';
import { drainOutput, getJob, jobEnded, parseDuration, watchJob, type Job, type WatchOutcome } from '../job-watch.js';
import { renderFields, renderTable } from '../output.js';
import { parseParamFlags, readParamsFile } from '../params.js';
import { SubmissionNotes, commandFingerprint } from '../submissions.js';
import { parseMoment } from '../time-range.js';
import type { TemplateView } from './templates.js';
import { isJobId } from '../../contract/job-id.js';

const DEFAULT_INTERVAL = '2s';

export interface WaitFlags {
  readonly wait?: boolean;
  readonly logs?: boolean;
  readonly timeout?: string;
  readonly interval?: string;
  readonly cancelOnInterrupt?: boolean;
}

export interface SubmitFlags extends WaitFlags {
  readonly param: string[];
  readonly paramsFile?: string;
  readonly idempotencyKey?: string;
  readonly dryRun?: boolean;
}

function checkJobId(id: string): string {
  if (!isJobId(id)) throw new UsageError(`${JSON.stringify(id)} is not a job id (job- and 26 letters and digits, as djg submit and djg ls print them)`);
  return id;
}

export function renderJob(job: Job): string {
  return renderFields([
    ['id', job.id],
    ['template', job.template],
    ['backend', job.backend],
    ['status', job.status],
    ['backend status', job.backendStatus],
    ['message', job.message],
    ['parameters', Object.entries(job.parameters ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')],
    ['principal', `${job.principal.subject} (${job.principal.kind})`],
    ['created', job.createdAt],
    ['updated', job.updatedAt],
    ['console', job.links.console],
    ...(job.approval
      ? ([
          ['approvers', `${job.approval.approvers.join(', ')} (${job.approval.required} required)`],
          ['decisions', job.approval.decisions.map((d) => `${d.decision} by ${d.by.subject}${d.comment ? `: ${d.comment}` : ''}`).join('; ') || 'none yet'],
          ['expires', job.approval.expiresAt],
        ] as [string, string][])
      : []),
  ]);
}

/** The job's end as an exit code: 0 only for SUCCEEDED. */
const exitFor = (job: Job) => (job.status === 'SUCCEEDED' ? EXIT.ok : EXIT.jobDidNotSucceed);

export async function submit(ctx: Context, template: string, flags: SubmitFlags): Promise<number> {
  const client = ctx.client();
  // the template's parameter schema types the -p values
  const tpl = (await client.call<TemplateView>(route('GET /templates/{id}', { id: template }))).body;
  const parameters = { ...(flags.paramsFile ? readParamsFile(flags.paramsFile, ctx.io.cwd) : {}), ...parseParamFlags(flags.param, tpl.parameters) };
  const waitFlags = checkWaitFlags({ ...flags, wait: flags.wait || flags.logs || flags.timeout !== undefined });

  if (flags.dryRun) {
    const { body } = await client.call<{ request: { method: string; url: string; body?: unknown } }>(route('POST /jobs'), { query: { dryRun: 'true' }, body: { template, parameters } });
    ctx.print(body, () => `${body.request.method} ${body.request.url}\n${JSON.stringify(body.request.body ?? null, null, 2)}\n`);
    return EXIT.ok;
  }

  const notes = new SubmissionNotes(ctx.settings.dir, ctx.settings.profileName, () => nowOf(ctx.io));
  const fingerprint = commandFingerprint(ctx.settings.url!, template, parameters);
  let key = flags.idempotencyKey;
  if (key === undefined) {
    const noted = notes.keyFor(fingerprint);
    key = noted.key;
    if (noted.reused) ctx.note(`djg: the same command ran at ${noted.since} and never heard back: sending it again with the same idempotency key, so it cannot start a second job`);
  }
  ctx.note(`idempotency key: ${key}`);
  let res;
  try {
    res = await client.call<Job>(route('POST /jobs'), { body: { template, parameters }, headers: { 'Idempotency-Key': key }, retryable: true });
  } catch (err) {
    // a refusal is an answer; only an unanswered run (no connection, 5xx) keeps the key for the next try
    if (err instanceof ApiProblem && err.problem.status < 500) notes.answered(fingerprint);
    throw err;
  }
  notes.answered(fingerprint);
  const job = res.body;
  if (res.headers.get('idempotent-replayed') === 'true') ctx.note(`djg: job ${job.id} already existed for this idempotency key (created ${job.createdAt}): this is that job, not a second one`);
  else ctx.note(`submitted job ${job.id}`);
  if (job.status === 'AWAITING_APPROVAL' && job.approval) ctx.note(`waiting for approval by ${job.approval.approvers.join(', ')} (${job.approval.required} required, expires ${job.approval.expiresAt})`);
  if (!waitFlags.wait) {
    ctx.print(job, () => renderJob(job));
    return EXIT.ok;
  }
  return follow(ctx, job.id, waitFlags);
}

function checkWaitFlags(flags: WaitFlags): WaitFlags & { timeoutMs?: number; intervalMs: number } {
  return {
    ...flags,
    ...(flags.timeout !== undefined ? { timeoutMs: parseDuration(flags.timeout, '--timeout') } : {}),
    intervalMs: parseDuration(flags.interval ?? DEFAULT_INTERVAL, '--interval'),
  };
}

/** Waits for the job and answers with the exit code of its outcome; Ctrl-C and --timeout leave it running. */
async function follow(ctx: Context, id: string, flags: WaitFlags & { timeoutMs?: number; intervalMs: number }): Promise<number> {
  const outcome = await watchJob(ctx.client(), id, ctx.io, { logs: flags.logs === true, timeoutMs: flags.timeoutMs, intervalMs: flags.intervalMs });
  return finish(ctx, outcome, flags);
}

async function finish(ctx: Context, outcome: WatchOutcome, flags: WaitFlags): Promise<number> {
  const { job } = outcome;
  if (outcome.kind === 'ended') {
    ctx.print(job, () => renderJob(job));
    return exitFor(job);
  }
  const reattach = `djg wait ${job.id}${flags.logs ? ' --logs' : ''}${ctx.profileFlags()}`;
  if (outcome.kind === 'interrupted' && flags.cancelOnInterrupt) {
    const { body } = await ctx.client().call<Job>(route('POST /jobs/{id}/cancel', { id: job.id }), { retryable: true, uninterruptible: true });
    ctx.note(`interrupted: cancellation of ${job.id} requested (${body.status}); follow it with: djg wait ${job.id}${ctx.profileFlags()}`);
    return EXIT.interrupted;
  }
  const why = outcome.kind === 'interrupted' ? 'interrupted' : `still ${job.status} after --timeout ${flags.timeout}`;
  ctx.note(`${why}: job ${job.id} goes on (${job.status}). Re-attach with: ${reattach}`);
  return outcome.kind === 'interrupted' ? EXIT.interrupted : EXIT.waitTimedOut;
}

export async function status(ctx: Context, id: string): Promise<number> {
  const job = await getJob(ctx.client(), checkJobId(id));
  ctx.print(job, () => renderJob(job));
  return EXIT.ok;
}

export async function wait(ctx: Context, id: string, flags: WaitFlags): Promise<number> {
  return follow(ctx, checkJobId(id), checkWaitFlags(flags));
}

/** Exit 0 when the job is (or, with --wait, ends up) cancelled; 1 when it had already ended otherwise. */
export async function cancel(ctx: Context, id: string, flags: WaitFlags): Promise<number> {
  const client = ctx.client();
  let job: Job;
  try {
    job = (await client.call<Job>(route('POST /jobs/{id}/cancel', { id: checkJobId(id) }), { retryable: true })).body;
  } catch (err) {
    if (!(err instanceof ApiProblem && err.type === 'job-not-cancellable')) throw err;
    job = await getJob(client, id);
    if (!jobEnded(job)) throw err;
    ctx.note(`job ${id} had already ended ${job.status}`);
    ctx.print(job, () => renderJob(job));
    return job.status === 'CANCELLED' ? EXIT.ok : EXIT.jobDidNotSucceed;
  }
  ctx.note(`cancellation of ${job.id} requested (${job.status})`);
  if (!flags.wait) {
    ctx.print(job, () => renderJob(job));
    return EXIT.ok;
  }
  const outcome = await watchJob(client, job.id, ctx.io, { logs: false, intervalMs: checkWaitFlags(flags).intervalMs });
  if (outcome.kind !== 'ended') return finish(ctx, outcome, flags);
  ctx.print(outcome.job, () => renderJob(outcome.job));
  return outcome.job.status === 'CANCELLED' ? EXIT.ok : EXIT.jobDidNotSucceed;
}

export interface ListFlags {
  readonly state?: string;
  readonly template?: string;
  readonly since?: string;
  readonly limit: string;
  readonly principal?: string;
}

/** Pages through GET /jobs (newest first) and keeps the jobs that match, up to --limit; stops at --since. */
export async function list(ctx: Context, flags: ListFlags): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit takes a whole number from 1 to 1000 (got ${JSON.stringify(flags.limit)})`);
  const since = flags.since ? parseMoment(flags.since, nowOf(ctx.io), '--since').getTime() : undefined;
  const states = flags.state ? new Set(flags.state.split(',').map((s) => s.trim().toUpperCase())) : undefined;
  const jobs: Job[] = [];
  let cursor: string | undefined;
  // bounded: a filter that matches nothing must not read the whole history
  for (let page = 0; page < 50 && jobs.length < limit; page++) {
    const { body } = await ctx.client().call<JobList>(route('GET /jobs'), { query: { limit: '100', cursor, principal: flags.principal } });
    let older = false;
    for (const job of body.jobs as Job[]) {
      if (since !== undefined && Date.parse(job.createdAt) < since) {
        older = true;
        break;
      }
      if ((!states || states.has(job.status)) && (!flags.template || job.template === flags.template)) jobs.push(job);
      if (jobs.length >= limit) break;
    }
    cursor = body.nextCursor;
    if (older || !cursor) break;
  }
  ctx.print({ jobs }, () =>
    jobs.length
      ? renderTable(
          ['ID', 'TEMPLATE', 'BACKEND', 'STATUS', 'CREATED', 'PRINCIPAL'],
          jobs.map((j) => [j.id, j.template, j.backend, j.status, j.createdAt, flags.principal ? j.principal.subject : '']),
        )
      : 'No jobs.\n',
  );
  return EXIT.ok;
}

/** The driver output; with --follow until the job has ended and all of it is read. */
export async function logs(ctx: Context, id: string, flags: { follow?: boolean; interval?: string }): Promise<number> {
  const client = ctx.client();
  checkJobId(id);
  const intervalMs = parseDuration(flags.interval ?? DEFAULT_INTERVAL, '--interval');
  const sleep = sleepOf(ctx.io);
  // -o json and yaml print each chunk the API returns, one document per chunk, for scripts
  const onChunk = ctx.format === 'table' ? undefined : (chunk: JobOutput) => ctx.print(chunk, () => '');
  const write = ctx.format === 'table' ? (text: string) => ctx.io.stdout(text) : () => undefined;
  let offset = 0;
  for (;;) {
    const read = await drainOutput(client, id, offset, write, onChunk);
    offset = read.offset;
    if (read.complete || !flags.follow) return EXIT.ok;
    if (ctx.io.signal?.aborted) return EXIT.interrupted;
    await sleep(intervalMs);
    if (ctx.io.signal?.aborted) return EXIT.interrupted;
  }
}

export async function open(ctx: Context, id: string, flags: { browser?: boolean }): Promise<number> {
  const job = await getJob(ctx.client(), checkJobId(id));
  const link = job.links.console;
  if (!link) throw new CliError(`job ${id} has no console link yet: it has not reached ${job.backend}`, EXIT.notFound);
  ctx.print({ console: link }, () => `${link}\n`);
  if (flags.browser !== false && ctx.io.stdoutIsTTY && ctx.io.openBrowser) await ctx.io.openBrowser(link);
  return EXIT.ok;
}

