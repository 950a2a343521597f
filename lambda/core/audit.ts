import type { Principal } from './principal.js';
import type { Template } from '../../contract/template.js';
import type { AuditEventName, AuditOutcome } from '../../contract/audit-line.js';


/** One audit decision: the JSON line docs/auditors.md describes (contract/audit-line.ts checks it). Never carries a token or a secret. */
export interface AuditEvent {
  readonly event: AuditEventName;
  readonly outcome: AuditOutcome;
  readonly principal?: Pick<Principal, 'issuer' | 'subject' | 'kind'> & { readonly groups?: readonly string[] };
  readonly jobId?: string;
  readonly template?: string;
  readonly backend?: string;
  readonly backendJobId?: string;
  readonly datasets?: readonly string[];
  /** Already masked: see `maskParameters`. */
  readonly parameters?: Record<string, unknown>;
  readonly requestId?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** A short machine-readable code: `expired`, `template_not_allowed`, `backend_unavailable`, ... */
  readonly reason?: string;
  readonly [extra: string]: unknown;
}

export const MASK = '***';

/**
 * The parameters as jobs, the ledger and the audit trail show them (top level, by name): secret values become `***`,
 * personal values their keyed fingerprint (`fingerprint`, lambda/core/keyed-hash.ts `KeyedHash.personal`).
 */
export function maskParameters(
  parameters: Record<string, unknown>,
  template: Pick<Template, 'sensitiveParameters' | 'personalParameters'>,
  fingerprint: (value: unknown) => string,
): Record<string, unknown> {
  const { sensitiveParameters: secret, personalParameters: personal } = template;
  if (!secret.length && !personal.length) return parameters;
  const masked: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parameters)) masked[k] = secret.includes(k) ? MASK : personal.includes(k) ? fingerprint(v) : v;
  return masked;
}

/** Where else an audit line goes besides the Lambda log (local mode's audit file, tests). */
export type AuditSink = (line: Record<string, unknown>) => void;

/** Where audit lines are logged: Powertools Logger (lambda/adapters/powertools/logger.ts), as JSON lines. */
export interface AuditLogger {
  info(message: string, attributes: Record<string, unknown>): void;
}

/** Writes audit events as JSON log lines, so CloudWatch Logs Insights can query them. */
export class AuditTrail {
  constructor(
    private readonly logger: AuditLogger,
    private readonly sinks: readonly AuditSink[] = [],
  ) {}

  record(event: AuditEvent): void {
    const line = { audit: true, ...event };
    // Powertools stamps its own `timestamp`; the other sinks get the same field so every copy reads alike.
    this.logger.info(event.event, line);
    if (this.sinks.length === 0) return;
    const stamped = { timestamp: new Date().toISOString(), ...line };
    for (const sink of this.sinks) sink(stamped);
  }
}
