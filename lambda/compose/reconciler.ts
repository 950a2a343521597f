// The reconciler, composed: settles reservations no retry came back for, and its approval pass (expiry, approved jobs a
// crash left unsent).
import type { RuntimeSettings } from '../../contract/settings.js';
import type { AuditTrail } from '../core/audit.js';
import { BackendLoader, type BackendEntries } from '../core/backend-loader.js';
import { TemplateCatalog } from '../core/catalog.js';
import type { JobRows } from '../core/ledger.js';
import { Reconciler } from '../core/reconciler.js';
import type { ApprovalEvents } from '../core/approvals/events.js';
import { ApprovalSweep } from '../core/approvals/sweep.js';
import type { KeyedHash } from '../core/keyed-hash.js';
import { noMetrics, type JobMetrics } from '../core/metrics.js';
import type { RevocationCheck } from '../core/revocations.js';

export interface ReconcilerAdapters {
  /** Existing rows only: the reconciler never creates or deletes one. */
  readonly rows: JobRows;
  readonly backends: BackendEntries;
  readonly audit: AuditTrail;
  readonly log: { warn(message: string, attributes: Record<string, unknown>): void };
  readonly now?: () => Date;
}

export function composeReconciler(settings: RuntimeSettings<'reconciler'>, adapters: ReconcilerAdapters): Reconciler {
  const backends = new BackendLoader(adapters.backends);
  return new Reconciler({
    ledger: adapters.rows,
    backendFor: (name) => backends.load(name),
    catalog: new TemplateCatalog(settings.templates),
    audit: adapters.audit,
    pendingAfterMs: settings.pendingAfterMinutes * 60_000,
    log: adapters.log,
    ...(adapters.now && { now: adapters.now }),
  });
}

export interface ApprovalSweepAdapters {
  readonly rows: JobRows;
  readonly backends: BackendEntries;
  readonly audit: AuditTrail;
  readonly log: { warn(message: string, attributes: Record<string, unknown>): void };
  /** The MAC key: an approved job's sealed parameters and its request's MAC are checked with it before it is sent. */
  readonly keyedHash: () => Promise<KeyedHash>;
  readonly events: ApprovalEvents;
  readonly isRevoked: RevocationCheck;
  readonly metrics?: JobMetrics;
  readonly now?: () => Date;
}

/** The reconciler's approval pass: expiry, and approved jobs a crash left unsent (lambda/core/approvals/sweep.ts). */
export function composeApprovalSweep(settings: RuntimeSettings<'reconciler'>, adapters: ApprovalSweepAdapters): ApprovalSweep {
  const backends = new BackendLoader(adapters.backends);
  const catalog = new TemplateCatalog(settings.templates);
  const now = adapters.now ?? (() => new Date());
  return new ApprovalSweep(
    {
      ledger: adapters.rows,
      catalog,
      // The sweep decides nothing for a caller: no one is an auditor or admin here.
      access: { auditorGroups: [], adminGroups: [] },
      metrics: adapters.metrics ?? noMetrics,
      events: adapters.events,
      isRevoked: adapters.isRevoked,
      log: adapters.log,
      backendFor: (t) => backends.load(t.backend),
      keyed: adapters.keyedHash,
      timestamp: () => now().toISOString(),
      now,
      record: (event) => adapters.audit.record(event),
    },
    settings.pendingAfterMinutes * 60_000,
  );
}
