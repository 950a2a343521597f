// `djg audit who-ran <jobId>` | `principal <subject> --since 7d` | `denied --since 24h` | ... : the saved audit queries,
// run against the deployed audit log group (CloudWatch Logs Insights) or local mode's audit log. One subcommand per
// query of contract/audit-queries.ts, so the CLI and the stack's saved queries cannot drift.
import { Option, type Command } from 'commander';
import { AUDIT_QUERY_LIST, InvalidQueryParameter, renderQuery, type AuditQuery } from '../contract/audit-queries.js';
import { DEFAULT_LOCAL_CONFIG, DEFAULT_OUTPUTS_FILE, LOG_GROUP_ENV, resolveLocalAuditFile, resolveLogGroup } from './audit-source.js';
import { AuditCliError, classifyAwsError, EXIT, UsageError } from './errors.js';
import { describeProgress, QueryAbandoned, QueryDidNotComplete, type Row } from './audit-results.js';
import { nowOf, type CliIo } from './io.js';
import { evaluateLocalQuery, readLocalAuditLog } from './local-audit-log.js';
import { formatData, renderTable, type Format } from './output.js';
import { StatusDisplay } from './status-display.js';
import { timeRange, type TimeRange } from './time-range.js';

export interface AuditOptions {
  readonly since?: string;
  readonly until?: string;
  readonly json?: boolean;
  readonly logGroup?: string;
  readonly region?: string;
  readonly outputs?: string;
  readonly stack?: string;
  readonly config?: string;
  readonly timeout?: string;
  /** `--local` alone: the config's audit log file; `--local <file>`: that file. */
  readonly local?: boolean | string;
}

/** `djg audit <query>`: one subcommand per saved query, its parameters as arguments; `action` runs one. */
export function addAuditCommands(program: Command, action: (query: AuditQuery) => (...received: unknown[]) => Promise<void>): Command {
  const audit = program
    .command('audit')
    .description('run the saved audit queries against the audit log group, or local mode\'s audit log (auditors)')
    .addHelpText(
      'after',
      `
The log group: --log-group, else $${LOG_GROUP_ENV}, else AuditLogGroupName in ${DEFAULT_OUTPUTS_FILE}.
Examples:
  djg audit who-ran job-2w3jx7k5n4q6abcdefghijklmn
  djg audit principal alice@example.com --since 7d
  djg audit denied --since 24h -o json | jq '.[].reason'
  djg audit submissions-per-day --local`,
    );
  for (const query of AUDIT_QUERY_LIST) {
    const cmd = audit.command(query.name).description(`${query.title} (default --since ${query.defaultSince})`);
    // optional in commander, checked here: `--local <file>` may have taken the argument (see below)
    for (const p of query.parameters) cmd.argument(`[${p.name}]`, p.description);
    cmd
      .option('--since <when>', 'start: 30m, 24h, 7d, 2w, 2024-05-01 or 2024-05-01T12:00:00Z')
      .option('--until <when>', 'end (default now)')
      .option('--json', 'the rows as JSON on stdout (same as -o json; no progress when piped)')
      .option('--log-group <name>', 'the audit log group')
      .option('--outputs <file>', `CDK outputs file (default ${DEFAULT_OUTPUTS_FILE}); --stack picks a stack in it`)
      .option('--stack <name>', 'the stack in the outputs file')
      .option('--region <region>', 'AWS region of the log group (default: your AWS configuration)')
      .option('--timeout <seconds>', 'stop waiting for CloudWatch after this long (default 900)')
      .addOption(new Option('--local [file]', 'read local mode\'s audit log instead (default: local.auditLogFile of --config)'))
      .option('--config <file>', `config for --local (default ${DEFAULT_LOCAL_CONFIG})`)
      .action(action(query));
  }
  return audit;
}

/** Runs one query; returns the exit code. */
export async function runAudit(query: AuditQuery, received: (string | undefined)[], options: AuditOptions, format: Format, io: CliIo): Promise<number> {
  const args = [...received];
  let local = options.local;
  // `who-ran --local job-x`: --local took the job id for a file; a query's own argument comes first
  if (typeof local === 'string' && args.filter((a) => a !== undefined).length < query.parameters.length) {
    args[args.findIndex((a) => a === undefined)] = local;
    local = true;
  }
  const missing = query.parameters.findIndex((_, i) => args[i] === undefined);
  if (missing >= 0) throw new UsageError(`${query.name} needs <${query.parameters[missing]!.name}>: ${query.parameters[missing]!.description}`);
  if (local && (options.logGroup || options.region || options.outputs || options.stack)) {
    throw new UsageError('--local reads the local audit log: it cannot be combined with --log-group, --region, --outputs or --stack');
  }
  if (!local && options.config) throw new UsageError('--config only applies to --local');
  const timeoutSeconds = options.timeout === undefined ? undefined : positiveInteger(options.timeout, '--timeout');
  const values = Object.fromEntries(query.parameters.map((p, i) => [p.name, args[i]!]));
  const range = timeRange(options.since ?? query.defaultSince, options.until, nowOf(io));
  let queryString: string;
  try {
    queryString = renderQuery(query, values);
  } catch (err) {
    if (err instanceof InvalidQueryParameter) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  const rows = local
    ? await answerLocally(query, values, typeof local === 'string' ? local : undefined, options.config, range, io)
    : await answerFromCloudWatch(query, options, queryString, range, format, timeoutSeconds, io);
  print(query, rows, range, format, io);
  return EXIT.ok;
}

async function answerLocally(query: AuditQuery, values: Record<string, string>, file: string | undefined, config: string | undefined, range: TimeRange, io: CliIo): Promise<Row[]> {
  const path = await resolveLocalAuditFile({ file, config, cwd: io.cwd });
  const log = await readLocalAuditLog(path);
  if (log.skipped) io.stderr(`djg audit: skipped ${log.skipped} line${log.skipped === 1 ? '' : 's'} of ${path} that ${log.skipped === 1 ? 'is' : 'are'} not audit JSON\n`);
  return evaluateLocalQuery(query, values, log, range);
}

async function answerFromCloudWatch(query: AuditQuery, options: AuditOptions, queryString: string, range: TimeRange, format: Format, timeoutSeconds: number | undefined, io: CliIo): Promise<Row[]> {
  const logGroupName = resolveLogGroup({ flag: options.logGroup, env: io.env, cwd: io.cwd, outputsFile: options.outputs, stack: options.stack });
  const [{ runInsightsQuery }, { CloudWatchLogsClient }] = await Promise.all([import('./insights-query.js'), import('@aws-sdk/client-cloudwatch-logs')]);
  const client = io.logsClient?.(options.region) ?? new CloudWatchLogsClient(options.region ? { region: options.region } : {});
  // progress is for people: not when rows are being piped into another program
  const showProgress = format === 'table' || io.stdoutIsTTY;
  const display = showProgress ? await StatusDisplay.create(io) : undefined;
  try {
    const result = await runInsightsQuery(
      client,
      { logGroupName, queryString, start: range.start, end: range.end },
      {
        onProgress: (p) => display?.update(`${query.name} on ${logGroupName}: ${describeProgress(p)}`, p.status),
        pollIntervalMs: io.pollIntervalMs,
        sleep: io.sleep,
        now: io.now && (() => io.now!().getTime()),
        signal: io.signal,
        timeoutMs: timeoutSeconds && timeoutSeconds * 1000,
      },
    );
    display?.stop();
    if (display) io.stderr(`${describeProgress({ ...result, status: `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}` })}\n`);
    return result.rows;
  } catch (err) {
    display?.stop();
    if (err instanceof QueryAbandoned) throw new AuditCliError(err.message, { exitCode: err.why === 'interrupted' ? EXIT.interrupted : EXIT.gateway, cause: err });
    if (err instanceof QueryDidNotComplete) throw new AuditCliError(err.message, { cause: err });
    const { message, exitCode } = classifyAwsError(err, { logGroupName, region: options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION });
    throw new AuditCliError(message, { exitCode, cause: err });
  }
}

function print(query: AuditQuery, rows: readonly Row[], range: TimeRange, format: Format, io: CliIo): void {
  const columns = [...query.columns, ...new Set(rows.flatMap((r) => Object.keys(r)).filter((c) => !query.columns.includes(c)))];
  // keys in the query's column order, as the table shows them
  const ordered = rows.map((r) => Object.fromEntries(columns.filter((c) => r[c] !== undefined && r[c] !== '').map((c) => [c, r[c]])));
  io.stdout(
    formatData(format, ordered, () =>
      rows.length ? renderTable(columns, rows.map((r) => columns.map((c) => r[c]))) : `No audit events matched between ${range.start.toISOString()} and ${range.end.toISOString()}.\n`,
    ),
  );
}

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a whole number of seconds (got ${JSON.stringify(text)})`);
  return n;
}
