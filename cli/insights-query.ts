// One CloudWatch Logs Insights query: StartQuery, then GetQueryResults until it completes, reporting progress on the way.
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type QueryStatus,
} from '@aws-sdk/client-cloudwatch-logs';

import { QueryAbandoned, QueryDidNotComplete, type QueryProgress, type Row } from './audit-results.js';

export interface InsightsQueryRequest {
  readonly logGroupName: string;
  readonly queryString: string;
  readonly start: Date;
  readonly end: Date;
}

export interface InsightsQueryOptions {
  /** @default 1000 */
  readonly pollIntervalMs?: number;
  /** Give up (and stop the query) after this long. @default 15 minutes */
  readonly timeoutMs?: number;
  readonly onProgress?: (p: QueryProgress) => void;
  /** Aborting stops the query in CloudWatch, so that it stops costing money. */
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface InsightsQueryResult {
  readonly rows: Row[];
  readonly recordsScanned?: number;
  readonly recordsMatched?: number;
  readonly elapsedMs: number;
}

const FINISHED_WITHOUT_RESULTS: ReadonlySet<QueryStatus | string> = new Set(['Failed', 'Cancelled', 'Timeout', 'Unknown']);

export async function runInsightsQuery(
  client: Pick<CloudWatchLogsClient, 'send'>,
  request: InsightsQueryRequest,
  options: InsightsQueryOptions = {},
): Promise<InsightsQueryResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const started = now();

  const { queryId } = await client.send(
    new StartQueryCommand({
      logGroupName: request.logGroupName,
      queryString: request.queryString,
      // Logs Insights takes epoch seconds; the end second is included whole.
      startTime: Math.floor(request.start.getTime() / 1000),
      endTime: Math.ceil(request.end.getTime() / 1000),
    }),
  );
  if (!queryId) throw new Error('StartQuery returned no queryId');

  const stop = async (why: 'interrupted' | 'timeout'): Promise<never> => {
    // best effort: the query may have finished meanwhile
    await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
    throw new QueryAbandoned(queryId, why, now() - started);
  };

  for (;;) {
    if (options.signal?.aborted) return stop('interrupted');
    const response = await client.send(new GetQueryResultsCommand({ queryId }));
    const status = response.status ?? 'Unknown';
    const elapsedMs = now() - started;
    const progress = { status, elapsedMs, recordsScanned: response.statistics?.recordsScanned, recordsMatched: response.statistics?.recordsMatched };
    options.onProgress?.(progress);
    if (status === 'Complete') {
      const rows = (response.results ?? []).map((fields) =>
        Object.fromEntries(fields.filter((f) => f.field && f.field !== '@ptr').map((f) => [f.field!, f.value ?? ''])),
      );
      return { rows, recordsScanned: progress.recordsScanned, recordsMatched: progress.recordsMatched, elapsedMs };
    }
    if (FINISHED_WITHOUT_RESULTS.has(status)) throw new QueryDidNotComplete(queryId, status);
    if (elapsedMs >= timeoutMs) return stop('timeout');
    await sleep(pollIntervalMs);
  }
}
