// The audit CLI's command line: `<query> [args...] [--since ..] [--json] [--log-group ..|--local [file]]`.
import { parseArgs } from 'node:util';
import { AUDIT_QUERIES, AUDIT_QUERY_LIST, isAuditQueryName, type AuditQuery } from '../lib/audit-queries.js';
import { DEFAULT_LOCAL_CONFIG, DEFAULT_OUTPUTS_FILE, LOG_GROUP_ENV } from './audit-source.js';
import { UsageError } from './errors.js';

export interface AuditArgs {
  readonly help: boolean;
  readonly query?: AuditQuery;
  /** Parameter values by name (`jobId`, `subject`). */
  readonly values: Readonly<Record<string, string>>;
  readonly since?: string;
  readonly until?: string;
  readonly json: boolean;
  readonly logGroup?: string;
  readonly region?: string;
  readonly outputs?: string;
  readonly stack?: string;
  /** Set when reading local mode's audit log; `file` absent means the config's `local.auditLogFile`. */
  readonly local?: { readonly file?: string };
  readonly config?: string;
  readonly timeoutSeconds?: number;
}

const VALUE_OPTIONS = ['since', 'until', 'log-group', 'region', 'outputs', 'stack', 'config', 'timeout'] as const;

export function usage(): string {
  const commands = AUDIT_QUERY_LIST.map((q) => {
    const call = [q.name, ...q.parameters.map((p) => `<${p.name}>`)].join(' ');
    return `  ${call.padEnd(26)}${q.title} (default --since ${q.defaultSince})`;
  }).join('\n');
  return `usage: npm run audit -- <command> [arguments] [options]

commands (the saved Logs Insights queries of the audit log):
${commands}

options:
  --since <when>        start: 30m, 24h, 7d, 2w, 2024-05-01 or 2024-05-01T12:00:00Z
  --until <when>        end (default now)
  --json                JSON array of rows on stdout (no progress when piped)
  --log-group <name>    audit log group (default $${LOG_GROUP_ENV}, or AuditLogGroupName in ${DEFAULT_OUTPUTS_FILE})
  --outputs <file>      CDK outputs file (cdk deploy --outputs-file); --stack <name> picks a stack in it
  --region <region>     AWS region of the log group (default: your AWS configuration)
  --timeout <seconds>   stop waiting for CloudWatch after this long (default 900)
  --local [file]        read local mode's audit log instead (default: local.auditLogFile of --config)
  --config <file>       config for --local (default ${DEFAULT_LOCAL_CONFIG})
  -h, --help            this text

examples:
  npm run audit -- who-ran job-2w3jx7k5n4q6abcdefghijklmn
  npm run audit -- principal alice@example.com --since 7d
  npm run audit -- denied --since 24h --json | jq '.[].reason'
  npm run audit -- submissions-per-day --local`;
}

/**
 * `--local` takes an optional file: the next word is its file when the command already has all its arguments
 * (`who-ran job-x --local my.log`), so `--local` never swallows the command's own argument (`who-ran --local job-x`).
 */
function extractLocal(argv: readonly string[]): { rest: string[]; local?: { file?: string } } {
  const rest: string[] = [];
  let local: { file?: string } | undefined;
  let command: string | undefined;
  let positionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (token === '--local' || token.startsWith('--local=')) {
      if (local) throw new UsageError('--local is given twice');
      if (token.startsWith('--local=')) {
        local = { file: token.slice('--local='.length) || undefined };
        continue;
      }
      const next = argv[i + 1];
      const needed = command !== undefined && isAuditQueryName(command) ? 1 + AUDIT_QUERIES[command].parameters.length : Number.POSITIVE_INFINITY;
      if (next !== undefined && !next.startsWith('-') && positionals >= needed) {
        local = { file: next };
        i++;
      } else {
        local = {};
      }
      continue;
    }
    rest.push(token);
    if ((VALUE_OPTIONS as readonly string[]).includes(token.replace(/^--/, '')) && !token.includes('=')) {
      if (argv[i + 1] !== undefined) rest.push(argv[++i]!);
      continue;
    }
    if (!token.startsWith('-')) {
      command ??= token;
      positionals++;
    }
  }
  return { rest, local };
}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const { rest, local } = extractLocal(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        json: { type: 'boolean', default: false },
        'log-group': { type: 'string' },
        region: { type: 'string' },
        outputs: { type: 'string' },
        stack: { type: 'string' },
        config: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const base = {
    help: v.help,
    since: v.since,
    until: v.until,
    json: v.json,
    logGroup: v['log-group'],
    region: v.region,
    outputs: v.outputs,
    stack: v.stack,
    local,
    config: v.config,
    timeoutSeconds: v.timeout === undefined ? undefined : positiveInteger(v.timeout, '--timeout'),
  };
  if (v.help) return { ...base, values: {} };
  const [command, ...args] = positionals;
  if (command === undefined) throw new UsageError('which query? name a command');
  if (!isAuditQueryName(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: ${AUDIT_QUERY_LIST.map((q) => q.name).join(', ')}`);
  const query = AUDIT_QUERIES[command];
  if (args.length < query.parameters.length) {
    const missing = query.parameters[args.length]!;
    throw new UsageError(`${command} needs <${missing.name}>: ${missing.description}`);
  }
  if (args.length > query.parameters.length) throw new UsageError(`${command} takes ${query.parameters.length || 'no'} argument${query.parameters.length === 1 ? '' : 's'}, got ${args.length}: ${args.join(' ')}`);
  if (local && (v['log-group'] || v.region || v.outputs || v.stack)) throw new UsageError('--local reads the local audit log: it cannot be combined with --log-group, --region, --outputs or --stack');
  if (!local && v.config) throw new UsageError('--config only applies to --local');
  return { ...base, query, values: Object.fromEntries(query.parameters.map((p, i) => [p.name, args[i]!])) };
}

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a whole number of seconds (got ${JSON.stringify(text)})`);
  return n;
}
