// JSON Schema of one audit line (DESIGN.md "Audit trail"), as AuditTrail writes it: the raw line local mode appends
// to its audit file, and the same keys inside the Powertools JSON line Lambda writes to CloudWatch.
import type { ValidateFunction } from 'ajv';
import type { AuditEventName, AuditOutcome } from '../../lambda/core/audit.js';
import { createAjv } from '../../lambda/core/ajv.js';

export const AUDIT_EVENTS = [
  'job.submitted',
  'job.submit_failed',
  'job.dry_run',
  'job.denied',
  'job.cancelled',
  'job.cancel_denied',
  'job.output_read',
  'job.reconciled',
  'audit.fingerprint',
  'auth.denied',
  'principal.revoked',
  'principal.unrevoked',
  'secret.rotated',
  'secret.rotation_failed',
  'secret.not_provisioned',
] as const satisfies readonly AuditEventName[];

// Fails to compile when lambda/core/audit.ts gains an event this schema does not know.
type Unlisted = Exclude<AuditEventName, (typeof AUDIT_EVENTS)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyEventListed;

/** The outcomes each event may have. */
export const EVENT_OUTCOMES: Readonly<Record<AuditEventName, readonly AuditOutcome[]>> = {
  'job.submitted': ['success'],
  'job.submit_failed': ['failure'],
  'job.dry_run': ['success'],
  'job.denied': ['denied'],
  'job.cancelled': ['success'],
  'job.cancel_denied': ['denied'],
  'job.output_read': ['success'],
  'job.reconciled': ['success', 'failure'],
  'audit.fingerprint': ['success', 'denied'],
  'auth.denied': ['denied'],
  'principal.revoked': ['success', 'failure', 'denied'],
  'principal.unrevoked': ['success', 'denied'],
  'secret.rotated': ['success'],
  'secret.rotation_failed': ['failure'],
  'secret.not_provisioned': ['success'],
};

/** Fields each event must carry, besides `audit`, `event`, `outcome` and `timestamp`. */
export const EVENT_REQUIRED_FIELDS: Readonly<Record<AuditEventName, readonly string[]>> = {
  'job.submitted': ['principal', 'jobId', 'template', 'backend', 'backendJobId', 'requestId'],
  'job.submit_failed': ['principal', 'jobId', 'template', 'backend', 'reason', 'requestId'],
  'job.dry_run': ['principal', 'jobId', 'template', 'backend', 'requestId'],
  'job.denied': ['principal', 'template', 'reason', 'requestId'],
  'job.cancelled': ['principal', 'jobId', 'template', 'backend', 'backendJobId', 'requestId'],
  'job.cancel_denied': ['principal', 'jobId', 'reason', 'requestId'],
  'job.output_read': ['principal', 'jobId', 'template', 'backend', 'requestId'],
  'job.reconciled': ['jobId'],
  'audit.fingerprint': ['principal', 'requestId'],
  'auth.denied': ['reason'],
  'principal.revoked': ['principal', 'requestId'],
  'principal.unrevoked': ['principal', 'requestId'],
  'secret.rotated': [],
  'secret.rotation_failed': ['reason'],
  'secret.not_provisioned': ['reason'],
};

/** Keys that would mean a credential was written into the audit trail. */
const FORBIDDEN_KEYS = ['token', 'accessToken', 'idToken', 'authorization', 'Authorization', 'password', 'secret', 'clientSecret', 'client_secret', 'privateKey', 'private_key', 'secretString', 'SecretString'];

const principal = {
  type: 'object',
  required: ['issuer', 'subject', 'kind'],
  properties: {
    issuer: { type: 'string', minLength: 1 },
    subject: { type: 'string', minLength: 1 },
    kind: { enum: ['user', 'agent', 'unknown'] },
    groups: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
} as const;

/** An audit line; other keys are allowed (Powertools adds level, service, timestamp, xray_trace_id...; events add their own facts). */
export const AUDIT_LINE_SCHEMA = {
  $id: 'https://data-job-gateway/schemas/audit-line.json',
  type: 'object',
  required: ['audit', 'event', 'outcome', 'timestamp'],
  properties: {
    audit: { const: true },
    event: { enum: AUDIT_EVENTS },
    outcome: { enum: ['success', 'denied', 'failure'] },
    timestamp: { type: 'string', format: 'date-time' },
    principal,
    target: { type: 'object', required: ['issuer', 'subject'], properties: { issuer: { type: 'string' }, subject: { type: 'string' } } },
    jobId: { type: 'string', pattern: '^job-[a-z2-7]{26}$' },
    template: { type: 'string', minLength: 1 },
    backend: { enum: ['dataproc', 'databricks'] },
    backendJobId: { type: 'string', minLength: 1 },
    datasets: { type: 'array', items: { type: 'string' } },
    parameters: { type: 'object' },
    requestId: { type: 'string', minLength: 1 },
    sourceIp: { type: 'string', minLength: 1 },
    userAgent: { type: 'string' },
    reason: { type: 'string', minLength: 1, maxLength: 512 },
    secretId: { type: 'string', minLength: 1 },
  },
  allOf: [
    ...AUDIT_EVENTS.map((event) => ({
      if: { required: ['event'], properties: { event: { const: event } } },
      then: { required: [...EVENT_REQUIRED_FIELDS[event]], properties: { outcome: { enum: [...EVENT_OUTCOMES[event]] } } },
    })),
    // a refusal always says why
    { if: { required: ['outcome'], properties: { outcome: { const: 'denied' } } }, then: { required: ['reason'] } },
    { not: { anyOf: FORBIDDEN_KEYS.map((k) => ({ required: [k] })) } },
  ],
} as const;

let validate: ValidateFunction | undefined;

export interface AuditLineCheck {
  readonly valid: boolean;
  /** One message per problem: `/principal/kind must be equal to one of the allowed values`. */
  readonly errors: readonly string[];
}

/** Check one parsed audit line (a raw line, or a Powertools line from CloudWatch) against the schema. */
export function checkAuditLine(line: unknown): AuditLineCheck {
  validate ??= createAjv().compile(AUDIT_LINE_SCHEMA);
  if (validate(line)) return { valid: true, errors: [] };
  const errors = (validate.errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.keyword === 'not' ? ' (a credential-like key is present)' : ''}`);
  return { valid: false, errors: [...new Set(errors)] };
}
