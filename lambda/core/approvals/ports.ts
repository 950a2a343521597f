// What the approval steps need: the jobs function's context (lambda/core/jobs/context.ts JobsContext) has all of it, and
// the reconciler composes the same from its narrower ledger rights (lambda/compose/reconciler.ts).
import type { BackendName } from '../../../contract/backends.js';
import type { Template } from '../../../contract/template.js';
import type { AuditEvent } from '../audit.js';
import type { JobBackend } from '../backend.js';
import type { KeyedHash } from '../keyed-hash.js';
import type { ActiveSlots, JobRows } from '../ledger.js';
import type { JobMetrics } from '../metrics.js';
import type { AccessPolicy } from '../policy.js';
import type { RevocationCheck } from '../revocations.js';
import type { ApprovalEvents } from './events.js';

export interface ApprovalPorts {
  readonly ledger: JobRows;
  readonly slots?: ActiveSlots;
  readonly catalog: { get(id: string): Template | undefined };
  readonly access: AccessPolicy;
  readonly metrics: JobMetrics;
  readonly events: ApprovalEvents;
  readonly isRevoked?: RevocationCheck;
  readonly log?: { warn(message: string, extra?: Record<string, unknown>): void };
  backendFor(t: { backend: BackendName }): Promise<JobBackend>;
  keyed(): Promise<KeyedHash>;
  timestamp(): string;
  now(): Date;
  record(event: AuditEvent): void;
}

/** Facts of the request that acted: an API request, or a reconciler pass (its run id, no source). */
export interface ActingRequest {
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}
