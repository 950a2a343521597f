// The audit trail's contract: every event, the outcomes it may have and the fields it must carry, and the JSON Schema of
// one audit line as AuditTrail (lambda/core/audit.ts) writes it: the raw line local mode appends to its audit file, and
// the same keys inside the Powertools JSON line Lambda writes to CloudWatch (docs/auditors.md lists the fields).
import type { ValidateFunction } from 'ajv';
import { createAjv } from './validation.js';
import { BACKEND_NAMES } from './backends.js';
import { JOB_ID_PATTERN } from './job-id.js';

/** Where local mode appends its audit lines unless the config's `local.auditLogFile` says otherwise. */
export const LOCAL_AUDIT_LOG_FILE = '.local/audit.log';

export type AuditOutcome = 'success' | 'denied' | 'failure';

interface EventSpec {
  /** The outcomes the event may have. */
  readonly outcomes: readonly AuditOutcome[];
  /** Fields it must carry, besides `audit`, `event`, `outcome` and `timestamp`. */
  readonly required: readonly string[];
}

const EVENTS = {
  'job.submitted': { outcomes: ['success'], required: ['principal', 'jobId', 'template', 'backend', 'backendJobId', 'requestId'] },
  'job.submit_failed': { outcomes: ['failure'], required: ['principal', 'jobId', 'template', 'backend', 'reason', 'requestId'] },
  'job.dry_run': { outcomes: ['success'], required: ['principal', 'jobId', 'template', 'backend', 'requestId'] },
  'job.denied': { outcomes: ['denied'], required: ['principal', 'template', 'reason', 'requestId'] },
  'job.cancelled': { outcomes: ['success'], required: ['principal', 'jobId', 'template', 'backend', 'backendJobId', 'requestId'] },
  'job.cancel_denied': { outcomes: ['denied'], required: ['principal', 'jobId', 'reason', 'requestId'] },
  'job.output_read': { outcomes: ['success'], required: ['principal', 'jobId', 'template', 'backend', 'requestId'] },
  'job.reconciled': { outcomes: ['success', 'failure'], required: ['jobId'] },
  'approval.requested': { outcomes: ['success'], required: ['principal', 'jobId', 'template', 'backend', 'approvers', 'required', 'expiresAt', 'requestId'] },
  // A person's decision, or an attempt refused (self-approval, not an approver, a second decision, a job no longer waiting).
  'approval.decided': { outcomes: ['success', 'denied'], required: ['principal', 'jobId', 'decision', 'requestId'] },
  // A wait that ended without a decision: expired, withdrawn by the submitter, or the submitter revoked.
  'approval.closed': { outcomes: ['success'], required: ['principal', 'jobId', 'template', 'reason', 'requestId'] },
  'audit.fingerprint': { outcomes: ['success', 'denied'], required: ['principal', 'requestId'] },
  'auth.denied': { outcomes: ['denied'], required: ['reason'] },
  'principal.revoked': { outcomes: ['success', 'failure', 'denied'], required: ['principal', 'requestId'] },
  'principal.unrevoked': { outcomes: ['success', 'denied'], required: ['principal', 'requestId'] },
  'secret.rotated': { outcomes: ['success'], required: [] },
  'secret.rotation_failed': { outcomes: ['failure'], required: ['reason'] },
  'secret.not_provisioned': { outcomes: ['success'], required: ['reason'] },
} as const satisfies Record<string, EventSpec>;

export type AuditEventName = keyof typeof EVENTS;
export const AUDIT_EVENTS = Object.keys(EVENTS) as AuditEventName[];

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
const AUDIT_LINE_SCHEMA = {
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
    jobId: { type: 'string', pattern: JOB_ID_PATTERN },
    template: { type: 'string', minLength: 1 },
    backend: { enum: BACKEND_NAMES },
    backendJobId: { type: 'string', minLength: 1 },
    datasets: { type: 'array', items: { type: 'string' } },
    parameters: { type: 'object' },
    requestId: { type: 'string', minLength: 1 },
    sourceIp: { type: 'string', minLength: 1 },
    userAgent: { type: 'string' },
    reason: { type: 'string', minLength: 1, maxLength: 512 },
    secretId: { type: 'string', minLength: 1 },
    decision: { enum: ['approve', 'reject'] },
    comment: { type: 'string', maxLength: 1000 },
    approvers: { type: 'array', items: { type: 'string' } },
    required: { type: 'integer', minimum: 1 },
    approvals: { type: 'integer', minimum: 0 },
    submitter: { type: 'object', required: ['issuer', 'subject'], properties: { issuer: { type: 'string' }, subject: { type: 'string' } } },
  },
  allOf: [
    ...AUDIT_EVENTS.map((event) => ({
      if: { required: ['event'], properties: { event: { const: event } } },
      then: { required: [...EVENTS[event].required], properties: { outcome: { enum: [...EVENTS[event].outcomes] } } },
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
