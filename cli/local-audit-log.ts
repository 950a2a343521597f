// Local mode's answer to the saved queries: the same commands over `.local/audit.log` (JSON lines AuditTrail appends).
// Not a Logs Insights interpreter: one small evaluator per query name, giving the rows and columns CloudWatch would.
import { readFile } from 'node:fs/promises';
import type { AuditQuery, AuditQueryName } from '../contract/audit-queries.js';
import { AuditCliError, EXIT } from './errors.js';
import type { Row } from './audit-results.js';
import type { TimeRange } from './time-range.js';

type Line = Readonly<Record<string, unknown>>;

export interface LocalAuditLog {
  readonly file: string;
  /** Audit lines with a readable timestamp, in file order. */
  readonly lines: readonly Line[];
  /** Lines that were not JSON objects with a timestamp (a crash mid-write, or someone's edit). */
  readonly skipped: number;
}

export async function readLocalAuditLog(file: string): Promise<LocalAuditLog> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AuditCliError(`no local audit log at ${file}: start local mode (npm start) and make a request, or pass --local <file>`, { cause: err, exitCode: EXIT.notFound });
    }
    throw new AuditCliError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lines: Line[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !Number.isNaN(timeOf(parsed as Line))) lines.push(parsed as Line);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { file, lines, skipped };
}

const timeOf = (line: Line): number => (typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : Number.NaN);

/** `2024-05-01 12:03:04.567`: how Logs Insights prints `@timestamp` and `bin()` values (UTC). */
function insightsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** A field as Logs Insights names it: nested objects and arrays flattened with dots (`principal.subject`, `datasets.0`). */
function field(line: Line, name: string): unknown {
  if (name === '@timestamp') return insightsTimestamp(timeOf(line));
  return name.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), line);
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/** The query's `fields`, omitting absent ones as GetQueryResults does. */
function project(line: Line, columns: readonly string[]): Row {
  const row: Record<string, string> = {};
  for (const c of columns) {
    const v = text(field(line, c));
    if (v !== undefined) row[c] = v;
  }
  return row;
}

const isAudit = (l: Line) => l.outcome !== undefined;
const newestFirst = (a: Line, b: Line) => timeOf(b) - timeOf(a);
const oldestFirst = (a: Line, b: Line) => timeOf(a) - timeOf(b);
const LIMIT = 1000;

type Evaluator = (lines: readonly Line[], q: AuditQuery, values: Readonly<Record<string, string>>) => Row[];

const listing = (keep: (l: Line, values: Readonly<Record<string, string>>) => boolean, order: (a: Line, b: Line) => number): Evaluator =>
  (lines, q, values) => lines.filter((l) => isAudit(l) && keep(l, values)).sort(order).slice(0, LIMIT).map((l) => project(l, q.columns));

/** One evaluator per saved query; each mirrors its `queryString` in contract/audit-queries.ts. */
const LOCAL_EVALUATORS: Readonly<Record<AuditQueryName, Evaluator>> = {
  'who-ran': listing((l, v) => l.jobId === v.jobId, oldestFirst),
  principal: listing((l, v) => field(l, 'principal.subject') === v.subject || field(l, 'target.subject') === v.subject, newestFirst),
  denied: listing((l) => l.outcome === 'denied', newestFirst),
  failures: listing((l) => l.outcome === 'failure', newestFirst),
  submissions: listing((l) => l.event === 'job.submitted', newestFirst),
  'submissions-per-day': (lines) => {
    const counts = new Map<string, { day: string; template?: string; backend?: string; submissions: number }>();
    for (const l of lines) {
      if (!isAudit(l) || l.event !== 'job.submitted') continue;
      const day = insightsTimestamp(Math.floor(timeOf(l) / 86_400_000) * 86_400_000);
      const template = text(l.template);
      const backend = text(l.backend);
      const key = JSON.stringify([day, template, backend]);
      const entry = counts.get(key) ?? { day, template, backend, submissions: 0 };
      entry.submissions++;
      counts.set(key, entry);
    }
    return [...counts.values()]
      .sort((a, b) => b.day.localeCompare(a.day) || b.submissions - a.submissions || (a.template ?? '').localeCompare(b.template ?? ''))
      .slice(0, LIMIT)
      .map(({ day, template, backend, submissions }) => ({ day, ...(template ? { template } : {}), ...(backend ? { backend } : {}), submissions: String(submissions) }));
  },
  rotations: listing((l) => l.event === 'secret.rotated' || l.event === 'secret.rotation_failed', newestFirst),
  'approvals-by': listing((l, v) => l.event === 'approval.decided' && field(l, 'principal.subject') === v.subject, newestFirst),
  'under-approved': listing((l) => l.event === 'approval.decided' && l.outcome === 'success' && l.released === true && typeof l.approvals === 'number' && l.approvals < 2, newestFirst),
  'self-approvals': listing((l) => l.event === 'approval.decided' && l.reason === 'self_approval', newestFirst),
};

/** The rows `q` gives over the local audit lines within `range`. */
export function evaluateLocalQuery(q: AuditQuery, values: Readonly<Record<string, string>>, log: Pick<LocalAuditLog, 'lines'>, range: TimeRange): Row[] {
  const from = range.start.getTime();
  const to = range.end.getTime();
  const inRange = log.lines.filter((l) => {
    const t = timeOf(l);
    return t >= from && t <= to;
  });
  return LOCAL_EVALUATORS[q.name](inRange, q, values);
}
