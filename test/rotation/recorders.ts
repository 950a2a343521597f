// What the rotation handler reports, kept for assertions: audit lines, log lines and metrics.
import { Logger } from '@aws-lambda-powertools/logger';
import { AuditTrail } from '../../lambda/core/audit.js';
import type { CredentialKind } from '../../lambda/rotation/rotator.js';
import type { RotationLog, RotationMetrics } from '../../lambda/rotation/rotation.js';

export interface Recorders {
  readonly audit: AuditTrail;
  readonly metrics: RotationMetrics;
  readonly log: RotationLog;
  readonly auditLines: Record<string, unknown>[];
  readonly logLines: { level: string; message: string; extra?: Record<string, unknown> }[];
  readonly metricCalls: { name: 'rotated' | 'failed'; kind: CredentialKind | 'unknown'; step?: string }[];
  /** Everything reported, as one string: what a secret value must never appear in. */
  everything(): string;
}

export function recorders(): Recorders {
  const auditLines: Record<string, unknown>[] = [];
  const logLines: Recorders['logLines'] = [];
  const metricCalls: Recorders['metricCalls'] = [];
  return {
    audit: new AuditTrail(new Logger({ logLevel: 'SILENT' }), [(line) => auditLines.push(line)]),
    metrics: {
      rotated: (kind) => metricCalls.push({ name: 'rotated', kind }),
      failed: (kind, step) => metricCalls.push({ name: 'failed', kind, step }),
    },
    log: {
      info: (message, extra) => logLines.push({ level: 'info', message, extra }),
      warn: (message, extra) => logLines.push({ level: 'warn', message, extra }),
    },
    auditLines,
    logLines,
    metricCalls,
    everything: () => JSON.stringify({ auditLines, logLines, metricCalls }),
  };
}

/** The innermost `cause` of an error. */
export function rootCause(err: unknown): unknown {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  return e;
}
