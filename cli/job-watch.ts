// Following a job until it ends: its state and elapsed time on the status display, and with logs its driver output as
// it arrives (GET /jobs/{id}/output from the last offset). Ctrl-C and --timeout stop the following, never the job.
import type { JobOutput, JobView } from '../contract/api-schemas.js';
import { isTerminal, type JobStatus } from '../contract/job-status.js';
import { Interrupted, type GatewayClient } from './api-client.js';
import { route } from './api-routes.js';
import { UsageError } from './errors.js';
import { nowOf, sleepOf, type CliIo } from './io.js';
import { StatusDisplay } from './status-display.js';

export type Job = JobView;

export type WatchOutcome = { readonly kind: 'ended' | 'interrupted' | 'timeout'; readonly job: Job };

export interface WatchOptions {
  /** Show the driver output on stderr as it arrives, as gcloud does, keeping stdout for the job. */
  readonly logs: boolean;
  readonly timeoutMs?: number;
  readonly intervalMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `10m`, `2h`, `1d`; a bare number is seconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`${option} takes a duration such as 30s, 10m or 2h (got ${JSON.stringify(text)})`);
  return Number(m[1]) * UNITS[m[2] ?? 's']!;
}

function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}h${pad(m)}m${pad(s % 60)}s` : m ? `${m}m${pad(s % 60)}s` : `${s}s`;
}

export const jobEnded = (job: Pick<Job, 'status'>) => isTerminal(job.status as JobStatus);

function describeState(job: Job, now: Date): string {
  if (job.status === 'AWAITING_APPROVAL' && job.approval) {
    const a = job.approval;
    const approved = a.decisions.filter((d) => d.decision === 'approve').length;
    return `${job.id} waiting for approval by ${a.approvers.join(', ')} (${approved}/${a.required}), expires ${a.expiresAt}, ${formatElapsed(now.getTime() - Date.parse(job.createdAt))} since submitted`;
  }
  const words = job.backendStatus && job.backendStatus !== job.status ? `${job.status} (${job.backendStatus})` : job.status;
  return `${job.id} ${words}, ${formatElapsed(now.getTime() - Date.parse(job.createdAt))} since submitted`;
}

export async function getJob(client: GatewayClient, id: string): Promise<Job> {
  return (await client.call<Job>(route('GET /jobs/{id}', { id }))).body;
}

/** Reads the output from `offset` as long as there is more right now; returns where to go on and whether it is all read. */
export async function drainOutput(client: GatewayClient, id: string, offset: number, write: (text: string) => void, onChunk?: (chunk: JobOutput) => void): Promise<{ offset: number; complete: boolean }> {
  for (;;) {
    const { body } = await client.call<JobOutput>(route('GET /jobs/{id}/output', { id }), { query: { offset: String(offset) } });
    onChunk?.(body);
    if (body.text) write(body.text);
    const moved = body.nextOffset > offset;
    offset = body.nextOffset;
    if (body.complete) return { offset, complete: true };
    // nothing new: the driver has not written more yet
    if (!moved) return { offset, complete: false };
  }
}

/** Polls until the job has ended (and with logs, its output is all read), the user interrupts, or the timeout passes. */
export async function watchJob(client: GatewayClient, id: string, io: CliIo, options: WatchOptions): Promise<WatchOutcome> {
  const display = await StatusDisplay.create(io);
  const sleep = sleepOf(io);
  const started = nowOf(io).getTime();
  let offset = 0;
  let complete = !options.logs;
  let job = await getJob(client, id);
  try {
    return await poll();
  } catch (err) {
    // Ctrl-C during a call: the job is as last seen
    if (err instanceof Interrupted) return { kind: 'interrupted', job };
    throw err;
  } finally {
    display.stop(describeState(job, nowOf(io)));
  }

  async function poll(): Promise<WatchOutcome> {
    for (;;) {
      display.update(describeState(job, nowOf(io)), `${job.status}/${job.backendStatus}/${job.approval?.decisions.length ?? 0}`);
      if (options.logs && !complete) ({ offset, complete } = await drainOutput(client, id, offset, (text) => display.print(text)));
      if (jobEnded(job) && complete) return { kind: 'ended', job };
      if (io.signal?.aborted) return { kind: 'interrupted', job };
      if (options.timeoutMs !== undefined && nowOf(io).getTime() - started >= options.timeoutMs) return { kind: 'timeout', job };
      await sleep(options.intervalMs);
      if (io.signal?.aborted) return { kind: 'interrupted', job };
      job = await getJob(client, id);
    }
  }
}
