// The reconciler, composed: settles reservations no retry came back for.
import type { RuntimeSettings } from '../../contract/settings.js';
import type { AuditTrail } from '../core/audit.js';
import { BackendLoader, type BackendEntries } from '../core/backend-loader.js';
import { TemplateCatalog } from '../core/catalog.js';
import type { JobRows } from '../core/ledger.js';
import { Reconciler } from '../core/reconciler.js';

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
