// Lambda entry: the scheduled reconciler (an EventBridge rule every few minutes). Clients are built once per environment.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { TemplateCatalog } from '../core/catalog.js';
import { DynamoJobRows } from '../core/dynamo-job-rows.js';
import { Reconciler, type ReconcileReport } from '../core/reconciler.js';
import { deployed } from '../runtime/deployed.js';

const { settings, logger, metrics, audit, dynamo, tableName, backends } = deployed('reconciler');

const reconciler = new Reconciler({
  // Existing rows only: the reconciler never creates or deletes one, and its role may not.
  ledger: new DynamoJobRows(dynamo, tableName),
  backendFor: (name) => backends.load(name),
  catalog: new TemplateCatalog(settings.templates),
  audit,
  pendingAfterMs: settings.config.reconciler.pendingAfterMinutes * 60_000,
  log: { warn: (m, extra) => logger.warn(m, extra ?? {}) },
});

/** Counts only: the job ids are in the audit events. */
export interface ReconcileSummary {
  readonly runId: string;
  readonly examined: number;
  readonly recorded: number;
  readonly abandoned: number;
  readonly unconfirmed: number;
  readonly settledMeanwhile: number;
  readonly failed: number;
}

export const handler = async (_event: ScheduledEvent, context: Context): Promise<ReconcileSummary> => {
  logger.addContext(context);
  try {
    const summary = summarize(await reconciler.run());
    // Rows the backend could not be asked about are retried next pass; say so loudly enough to alarm on.
    if (summary.failed) logger.warn('reconciliation left rows pending', { ...summary });
    else logger.info('reconciliation finished', { ...summary });
    return summary;
  } finally {
    metrics.publishStoredMetrics();
  }
};

function summarize(r: ReconcileReport): ReconcileSummary {
  return {
    runId: r.runId,
    examined: r.examined,
    recorded: r.recorded.length,
    abandoned: r.abandoned.length,
    unconfirmed: r.unconfirmed.length,
    settledMeanwhile: r.settledMeanwhile.length,
    failed: r.failed.length,
  };
}
