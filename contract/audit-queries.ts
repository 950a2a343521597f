// The saved CloudWatch Logs Insights queries over the audit log: the ONE definition that both the CDK
// QueryDefinitions (lib/constructs/observability.ts) and the audit CLI (cli/audit.ts) use, string for string.
// Pure data: no aws-cdk-lib import, so the CLI starts fast.

/**
 * Field names are those Logs Insights discovers in the Powertools JSON line: extra keys sit at the top level
 * (`event`, `jobId`, ...), nested objects are flattened with dots (`principal.subject`).
 */
export type AuditQueryName = 'who-ran' | 'principal' | 'denied' | 'failures' | 'submissions' | 'submissions-per-day' | 'rotations' | 'approvals-by' | 'under-approved' | 'self-approvals';

interface AuditQueryParameter {
  /** Referenced as `{{name}}` in the query string (CloudWatch saved-query parameter syntax). */
  readonly name: string;
  readonly description: string;
}

export interface AuditQuery {
  /** The CLI command: `npm run audit -- <name> ...`. */
  readonly name: AuditQueryName;
  /** The saved query's name in the Logs Insights console, under the gateway's folder. */
  readonly title: string;
  readonly description: string;
  /** Positional CLI arguments, in order; placeholders in `queryString`. */
  readonly parameters: readonly AuditQueryParameter[];
  /** How far back the CLI looks when no `--since` is given. */
  readonly defaultSince: string;
  /** Result columns, in display order (the `fields` of the query, or the outputs of its `stats`). */
  readonly columns: readonly string[];
  /** Logs Insights QL; `{{parameter}}` placeholders are filled in by `renderQuery` (CLI) or the console (saved query). */
  readonly queryString: string;
}

/** Every audit line carries an outcome; no other log line of the gateway does. */
const AUDIT_LINE = 'ispresent(outcome)';
/** CloudWatch Logs Insights returns at most 10,000 rows; 1,000 keeps a terminal readable. */
const ROW_LIMIT = 1000;

const query = (...commands: string[]) => commands.join('\n| ');

function define(q: Omit<AuditQuery, 'queryString'> & { readonly commands: readonly string[] }): AuditQuery {
  const { commands, ...rest } = q;
  return Object.freeze({ ...rest, queryString: query(...commands) });
}

const WHO_RAN_COLUMNS = ['@timestamp', 'event', 'outcome', 'principal.subject', 'principal.issuer', 'principal.kind', 'template', 'backend', 'backendJobId', 'reason', 'sourceIp', 'requestId'] as const;
const PRINCIPAL_COLUMNS = ['@timestamp', 'event', 'outcome', 'jobId', 'template', 'backend', 'reason', 'principal.subject', 'principal.issuer', 'principal.kind', 'target.subject', 'sourceIp', 'requestId'] as const;
const DENIED_COLUMNS = ['@timestamp', 'event', 'reason', 'principal.subject', 'principal.issuer', 'template', 'jobId', 'path', 'sourceIp', 'userAgent', 'requestId'] as const;
const FAILURE_COLUMNS = ['@timestamp', 'event', 'reason', 'jobId', 'template', 'backend', 'principal.subject', 'requestId'] as const;
const SUBMISSION_COLUMNS = ['@timestamp', 'jobId', 'principal.subject', 'principal.kind', 'template', 'backend', 'backendJobId', 'requestId'] as const;
const DECISION_COLUMNS = ['@timestamp', 'jobId', 'template', 'decision', 'outcome', 'reason', 'comment', 'submitter.subject', 'approvals', 'required', 'released', 'requestId'] as const;
const UNDER_APPROVED_COLUMNS = ['@timestamp', 'jobId', 'template', 'submitter.subject', 'principal.subject', 'approvals', 'required', 'requestId'] as const;
const SELF_APPROVAL_COLUMNS = ['@timestamp', 'jobId', 'template', 'decision', 'principal.subject', 'principal.issuer', 'sourceIp', 'userAgent', 'requestId'] as const;
const ROTATION_COLUMNS = ['@timestamp', 'event', 'outcome', 'backend', 'secretId', 'reason', 'requestId'] as const;

export const AUDIT_QUERIES: Readonly<Record<AuditQueryName, AuditQuery>> = Object.freeze({
  'who-ran': define({
    name: 'who-ran',
    title: 'Who ran job X',
    description: 'Every audit event of one job, oldest first: who submitted it, with what, what the backend answered, who cancelled it.',
    parameters: [{ name: 'jobId', description: 'the gateway job id, e.g. job-abcdefghijklmnopqrstuvwxyz' }],
    defaultSince: '30d',
    columns: WHO_RAN_COLUMNS,
    commands: [`fields ${WHO_RAN_COLUMNS.join(', ')}`, `filter ${AUDIT_LINE} and jobId = "{{jobId}}"`, 'sort @timestamp asc', `limit ${ROW_LIMIT}`],
  }),
  principal: define({
    name: 'principal',
    title: 'Everything principal Y did',
    description: 'Every audit event where the principal (token subject) acted, or was the target of a revocation, newest first.',
    parameters: [{ name: 'subject', description: 'the token subject (sub claim) of a user or machine client' }],
    defaultSince: '7d',
    columns: PRINCIPAL_COLUMNS,
    commands: [
      `fields ${PRINCIPAL_COLUMNS.join(', ')}`,
      `filter ${AUDIT_LINE} and (principal.subject = "{{subject}}" or target.subject = "{{subject}}")`,
      'sort @timestamp desc',
      `limit ${ROW_LIMIT}`,
    ],
  }),
  denied: define({
    name: 'denied',
    title: 'Denied requests',
    description: 'Every refusal, newest first: bad or missing tokens (auth.denied), templates a caller may not run, cancellations and admin actions refused.',
    parameters: [],
    defaultSince: '24h',
    columns: DENIED_COLUMNS,
    commands: [`fields ${DENIED_COLUMNS.join(', ')}`, `filter ${AUDIT_LINE} and outcome = "denied"`, 'sort @timestamp desc', `limit ${ROW_LIMIT}`],
  }),
  failures: define({
    name: 'failures',
    title: 'Failed operations',
    description: 'Operations that failed on our side or a backend\'s, newest first: submissions a backend refused or could not take, rotations that failed, revocations that could not cancel every job.',
    parameters: [],
    defaultSince: '24h',
    columns: FAILURE_COLUMNS,
    commands: [`fields ${FAILURE_COLUMNS.join(', ')}`, `filter ${AUDIT_LINE} and outcome = "failure"`, 'sort @timestamp desc', `limit ${ROW_LIMIT}`],
  }),
  submissions: define({
    name: 'submissions',
    title: 'Recent submissions',
    description: 'Jobs submitted to a backend, newest first.',
    parameters: [],
    defaultSince: '24h',
    columns: SUBMISSION_COLUMNS,
    commands: [`fields ${SUBMISSION_COLUMNS.join(', ')}`, `filter ${AUDIT_LINE} and event = "job.submitted"`, 'sort @timestamp desc', `limit ${ROW_LIMIT}`],
  }),
  'submissions-per-day': define({
    name: 'submissions-per-day',
    title: 'Submissions per template per day',
    description: 'How many jobs of each template were submitted each day (UTC), newest day first.',
    parameters: [],
    defaultSince: '30d',
    columns: ['day', 'template', 'backend', 'submissions'],
    commands: [`filter ${AUDIT_LINE} and event = "job.submitted"`, 'stats count(*) as submissions by bin(1d) as day, template, backend', 'sort day desc', `limit ${ROW_LIMIT}`],
  }),
  rotations: define({
    name: 'rotations',
    title: 'Secret rotations',
    description: 'Backend credential rotations, failed rotations and secrets found not yet provisioned, newest first.',
    parameters: [],
    defaultSince: '90d',
    columns: ROTATION_COLUMNS,
    commands: [
      `fields ${ROTATION_COLUMNS.join(', ')}`,
      `filter ${AUDIT_LINE} and event in ["secret.rotated", "secret.rotation_failed", "secret.not_provisioned"]`,
      'sort @timestamp desc',
      `limit ${ROW_LIMIT}`,
    ],
  }),
  'approvals-by': define({
    name: 'approvals-by',
    title: 'Approvals decided by X',
    description: 'Every approval and rejection one person decided, and their refused attempts, newest first (docs/approvals.md).',
    parameters: [{ name: 'subject', description: 'the token subject (sub claim) of the approver' }],
    defaultSince: '30d',
    columns: DECISION_COLUMNS,
    commands: [`fields ${DECISION_COLUMNS.join(', ')}`, `filter ${AUDIT_LINE} and event = "approval.decided" and principal.subject = "{{subject}}"`, 'sort @timestamp desc', `limit ${ROW_LIMIT}`],
  }),
  'under-approved': define({
    name: 'under-approved',
    title: 'Jobs approved by fewer than two people',
    description: 'Approvals that sent a job with fewer than two distinct approvals counted (templates with required: 1, or approvers revoked meanwhile), newest first.',
    parameters: [],
    defaultSince: '30d',
    columns: UNDER_APPROVED_COLUMNS,
    commands: [
      `fields ${UNDER_APPROVED_COLUMNS.join(', ')}`,
      `filter ${AUDIT_LINE} and event = "approval.decided" and outcome = "success" and released = 1 and approvals < 2`,
      'sort @timestamp desc',
      `limit ${ROW_LIMIT}`,
    ],
  }),
  'self-approvals': define({
    name: 'self-approvals',
    title: 'Self-approval attempts',
    description: 'Submitters who tried to approve or reject their own job (always refused), newest first.',
    parameters: [],
    defaultSince: '90d',
    columns: SELF_APPROVAL_COLUMNS,
    commands: [`fields ${SELF_APPROVAL_COLUMNS.join(', ')}`, `filter ${AUDIT_LINE} and event = "approval.decided" and reason = "self_approval"`, 'sort @timestamp desc', `limit ${ROW_LIMIT}`],
  }),
});

export const AUDIT_QUERY_LIST: readonly AuditQuery[] = Object.values(AUDIT_QUERIES);

/** A parameter value that cannot be placed inside a query's double-quoted string literal as is. */
export class InvalidQueryParameter extends Error {
  override readonly name = 'InvalidQueryParameter';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** Values are spliced into a double-quoted literal: quotes, backslashes and control characters could change the query. */
const UNSAFE_VALUE = /["\\\p{Cc}]/u;
const MAX_VALUE_LENGTH = 1024;

/** The query string with every `{{parameter}}` replaced by its value; values are checked, never escaped, so what runs is what was typed. */
export function renderQuery(q: AuditQuery, values: Readonly<Record<string, string>>): string {
  let text = q.queryString;
  for (const p of q.parameters) {
    const value = values[p.name];
    if (value === undefined || value === '') throw new InvalidQueryParameter(p.name, `${q.name} needs <${p.name}>: ${p.description}`);
    if (value.length > MAX_VALUE_LENGTH) throw new InvalidQueryParameter(p.name, `<${p.name}> is longer than ${MAX_VALUE_LENGTH} characters`);
    if (UNSAFE_VALUE.test(value)) throw new InvalidQueryParameter(p.name, `<${p.name}> may not contain double quotes, backslashes or control characters (got ${JSON.stringify(value)})`);
    text = text.replaceAll(`{{${p.name}}}`, value);
  }
  return text;
}
