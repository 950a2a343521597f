// Fixed-rate load with autocannon. Its rate limit fills a one-second window per connection with back-to-back requests,
// so one instance at N req/s sends bursts; instead, many one-connection instances with staggered windows spread the
// requests over the second. Latencies are taken from each response (float ms), not autocannon's 1-ms histogram.
import autocannon, { type RawRequest } from 'autocannon';
import { percentile } from './stats.js';

export interface LoadSpec {
  readonly url: string;
  /** Requests per second, across all instances. */
  readonly rate: number;
  readonly seconds: number;
  /** Called for every request: method, path, headers, body. */
  readonly request: () => RawRequest;
}

export interface LoadResult {
  readonly rate: number;
  readonly achieved: number;
  readonly responses: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly statusCounts: Record<string, number>;
}

/** Requests each one-connection instance sends per one-second window. */
const PER_INSTANCE = 10;

export async function fixedRateLoad(spec: LoadSpec): Promise<LoadResult> {
  const instances = Math.max(1, Math.round(spec.rate / PER_INSTANCE));
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const runs = Array.from({ length: instances }, (_, i) =>
    new Promise<{ errors: number; timeouts: number; non2xx: number }>((resolve, reject) => {
      setTimeout(() => {
        const instance = autocannon({
          url: spec.url,
          connections: 1,
          connectionRate: spec.rate / instances,
          duration: spec.seconds,
          timeout: 10,
          ignoreCoordinatedOmission: true,
          skipAggregateResult: true,
          requests: [{ setupRequest: (req) => ({ ...req, ...spec.request() }) }],
        });
        instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
          latencies.push(ms);
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        });
        instance.then((r) => resolve({ errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx }), reject);
      }, (i * 1000) / instances);
    }),
  );
  const results = await Promise.all(runs);
  const sum = (k: 'errors' | 'timeouts' | 'non2xx') => results.reduce((n, r) => n + r[k], 0);
  return {
    rate: spec.rate,
    achieved: latencies.length / spec.seconds,
    responses: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx: sum('non2xx'),
    errors: sum('errors') + sum('timeouts'),
    statusCounts,
  };
}

/** Every response a 2xx, no connection error or timeout, and at least 95% of the asked rate delivered. */
export const sustained = (r: LoadResult) => r.errors === 0 && r.non2xx === 0 && r.achieved >= 0.95 * r.rate;
