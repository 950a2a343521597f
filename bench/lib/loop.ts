// A timed loop for in-process operations: one call at a time (as a Lambda handles one event at a time), each timed.
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';

export interface LoopResult {
  readonly opsPerSecond: number;
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
}

/** Calls `op` back to back for about `ms` milliseconds. */
export async function timedLoop(op: () => unknown, ms: number): Promise<LoopResult> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    const t0 = now;
    await op();
    now = performance.now();
    latencies.push((now - t0) * 1000);
  }
  return { opsPerSecond: latencies.length / ((now - start) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
