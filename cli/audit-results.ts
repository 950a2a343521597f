// The results of an audit query and what can go wrong running one: kept apart from the AWS SDK, which djg loads only
// when a query runs against CloudWatch.

/** One result row: field name → value, as GetQueryResults gives it. */
export type Row = Readonly<Record<string, string>>;

/** What a running query is doing, for the progress line. */
export interface QueryProgress {
  readonly status: string;
  readonly elapsedMs: number;
  readonly recordsScanned?: number;
  readonly recordsMatched?: number;
}

const number = new Intl.NumberFormat('en-US');

export function describeProgress(p: QueryProgress): string {
  const parts = [`${p.status}`, `${(p.elapsedMs / 1000).toFixed(1)} s`];
  if (p.recordsScanned !== undefined) parts.push(`${number.format(p.recordsScanned)} records scanned`);
  if (p.recordsMatched !== undefined) parts.push(`${number.format(p.recordsMatched)} matched`);
  return parts.join(', ');
}

/** CloudWatch ended the query without results: `Failed`, `Cancelled`, `Timeout` (its own 60-minute limit) or `Unknown`. */
export class QueryDidNotComplete extends Error {
  override readonly name = 'QueryDidNotComplete';
  constructor(
    readonly queryId: string,
    readonly status: string,
  ) {
    super(
      status === 'Timeout'
        ? `CloudWatch Logs timed out running the query (${queryId}): narrow --since`
        : `CloudWatch Logs ended the query ${queryId} with status ${status}`,
    );
  }
}

/** We stopped waiting: the user interrupted, or `timeoutMs` passed. The query was stopped in CloudWatch. */
export class QueryAbandoned extends Error {
  override readonly name = 'QueryAbandoned';
  constructor(
    readonly queryId: string,
    readonly why: 'interrupted' | 'timeout',
    elapsedMs: number,
  ) {
    super(why === 'interrupted' ? `query ${queryId} interrupted and stopped` : `query ${queryId} still running after ${Math.round(elapsedMs / 1000)} s: stopped it; narrow --since or raise --timeout`);
  }
}

