// `npm run audit -- who-ran <jobId>` | `principal <subject> --since 7d` | `denied --since 24h` | ... (see `--help`):
// the saved audit queries, run against the deployed audit log group (CloudWatch Logs Insights) or local mode's audit log.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { InvalidQueryParameter, renderQuery } from '../lib/audit-queries.js';
import { parseAuditArgs, usage, type AuditArgs } from './args.js';
import { resolveLocalAuditFile, resolveLogGroup } from './audit-source.js';
import { AuditCliError, describeAwsError, UsageError } from './errors.js';
import { QueryAbandoned, QueryDidNotComplete, runInsightsQuery } from './insights-query.js';
import { evaluateLocalQuery, readLocalAuditLog } from './local-audit-log.js';
import { describeProgress, ProgressReporter } from './progress.js';
import { formatTable, visibleColumns, type Row } from './table.js';
import { timeRange, type TimeRange } from './time-range.js';

export interface AuditCliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default a CloudWatchLogsClient for the region (or the SDK's default region) */
  readonly logsClient?: (region: string | undefined) => Pick<CloudWatchLogsClient, 'send'>;
  /** Between GetQueryResults calls. @default 1000 */
  readonly pollIntervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Aborted on Ctrl-C: the running query is stopped in CloudWatch. */
  readonly signal?: AbortSignal;
}

/** Runs one command; returns the exit code: 0 answered, 1 could not answer, 2 bad command line. */
export async function main(argv: readonly string[], io: AuditCliIo): Promise<number> {
  try {
    const args = parseAuditArgs(argv);
    if (args.help || !args.query) {
      io.stdout(`${usage()}\n`);
      return 0;
    }
    const now = io.now?.() ?? new Date();
    const range = timeRange(args.since ?? args.query.defaultSince, args.until, now);
    const queryString = renderQuery(args.query, args.values);
    const rows = args.local ? await answerLocally(args, range, io) : await answerFromCloudWatch(args, queryString, range, io);
    print(rows, args, range, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidQueryParameter) {
      io.stderr(`audit: ${err.message}\n\nrun \`npm run audit -- --help\` for the commands and options\n`);
      return 2;
    }
    if (err instanceof AuditCliError || err instanceof QueryDidNotComplete || err instanceof QueryAbandoned) {
      io.stderr(`audit: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function answerLocally(args: AuditArgs, range: TimeRange, io: AuditCliIo): Promise<Row[]> {
  const file = resolveLocalAuditFile({ file: args.local?.file, config: args.config, cwd: io.cwd });
  const log = await readLocalAuditLog(file);
  if (log.skipped) io.stderr(`audit: skipped ${log.skipped} line${log.skipped === 1 ? '' : 's'} of ${file} that ${log.skipped === 1 ? 'is' : 'are'} not audit JSON\n`);
  return evaluateLocalQuery(args.query!, args.values, log, range);
}

async function answerFromCloudWatch(args: AuditArgs, queryString: string, range: TimeRange, io: AuditCliIo): Promise<Row[]> {
  const logGroupName = resolveLogGroup({ flag: args.logGroup, env: io.env, cwd: io.cwd, outputsFile: args.outputs, stack: args.stack });
  const client = io.logsClient?.(args.region) ?? new CloudWatchLogsClient(args.region ? { region: args.region } : {});
  // progress is for people: not when a --json result is being piped into another program
  const showProgress = !args.json || io.stdoutIsTTY;
  const progress = showProgress ? new ProgressReporter(io.stderr, io.stderrIsTTY, `${args.query!.name} on ${logGroupName}`) : undefined;
  try {
    const result = await runInsightsQuery(
      client,
      { logGroupName, queryString, start: range.start, end: range.end },
      {
        onProgress: (p) => progress?.update(p),
        pollIntervalMs: io.pollIntervalMs,
        sleep: io.sleep,
        now: io.now && (() => io.now!().getTime()),
        signal: io.signal,
        timeoutMs: args.timeoutSeconds && args.timeoutSeconds * 1000,
      },
    );
    progress?.finish();
    if (showProgress) io.stderr(`${describeProgress({ status: `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`, ...result })}\n`);
    return result.rows;
  } catch (err) {
    progress?.finish();
    if (err instanceof QueryDidNotComplete || err instanceof QueryAbandoned) throw err;
    throw new AuditCliError(describeAwsError(err, { logGroupName, region: args.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION }), { cause: err });
  }
}

function print(rows: readonly Row[], args: AuditArgs, range: TimeRange, io: AuditCliIo): void {
  const columns = args.query!.columns;
  if (args.json) {
    // keys in the query's column order, like the table
    const ordered = rows.map((r) => Object.fromEntries(visibleColumns([r], columns).map((c) => [c, r[c]])));
    io.stdout(`${JSON.stringify(ordered, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    io.stdout(`No audit events matched between ${range.start.toISOString()} and ${range.end.toISOString()}.\n`);
    return;
  }
  io.stdout(formatTable(rows, columns));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const interrupted = new AbortController();
  process.once('SIGINT', () => interrupted.abort());
  main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    signal: interrupted.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`audit: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
