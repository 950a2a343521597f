// Lambda entry: the scheduled reconciler (an EventBridge rule every few minutes). Clients are built once per environment.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ENV } from '../../contract/settings.js';
import { DynamoJobRows } from '../adapters/dynamodb/job-rows.js';
import { createLogger } from '../adapters/powertools/logger.js';
import { composeReconciler } from '../compose/reconciler.js';
import { AuditTrail } from '../core/audit.js';
import type { ReconcileReport } from '../core/reconciler.js';
import { deployedBackends } from '../runtime/deployed-backends.js';
import { readSettings, requiredEnv } from '../runtime/settings.js';

const settings = readSettings('reconciler');
const logger = createLogger('reconciler');
const reconciler = composeReconciler(settings, {
  rows: new DynamoJobRows(new DynamoDBClient({}), requiredEnv(ENV.ledgerTable)),
  backends: deployedBackends(settings),
  audit: new AuditTrail(logger),
  log: logger,
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
  const summary = summarize(await reconciler.run());
  // Rows the backend could not be asked about are retried next pass; say so loudly enough to alarm on.
  if (summary.failed) logger.warn('reconciliation left rows pending', { ...summary });
  else logger.info('reconciliation finished', { ...summary });
  return summary;
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
