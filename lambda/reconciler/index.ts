// Lambda entry: the scheduled reconciler (an EventBridge rule every few minutes). Clients are built once per environment.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ENV } from '../../contract/settings.js';
import { DynamoJobRows } from '../adapters/dynamodb/job-rows.js';
import { DynamoRevocationCheck } from '../adapters/dynamodb/revocation-check.js';
import { EventBridgeApprovalEvents } from '../adapters/eventbridge/approval-events.js';
import { SecretsManagerStore } from '../adapters/secrets-manager.js';
import { keyedHashFromSecret } from '../core/keyed-hash.js';
import type { ApprovalSweepReport } from '../core/approvals/sweep.js';
import { createLogger } from '../adapters/powertools/logger.js';
import { composeApprovalSweep, composeReconciler } from '../compose/reconciler.js';
import { AuditTrail } from '../core/audit.js';
import type { ReconcileReport } from '../core/reconciler.js';
import { deployedBackends } from '../runtime/deployed-backends.js';
import { readSettings, requiredEnv } from '../runtime/settings.js';

const settings = readSettings('reconciler');
const logger = createLogger('reconciler');
const dynamo = new DynamoDBClient({});
const rows = new DynamoJobRows(dynamo, requiredEnv(ENV.ledgerTable));
const backends = deployedBackends(settings);
const audit = new AuditTrail(logger);
const reconciler = composeReconciler(settings, { rows, backends, audit, log: logger });
const revocations = new DynamoRevocationCheck(dynamo, requiredEnv(ENV.ledgerTable));
const approvals = composeApprovalSweep(settings, {
  rows,
  backends,
  audit,
  log: logger,
  keyedHash: keyedHashFromSecret(new SecretsManagerStore(), requiredEnv(ENV.macKeySecret)),
  events: new EventBridgeApprovalEvents(),
  isRevoked: (issuer, subject) => revocations.isRevoked(issuer, subject),
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
  /** The approval pass: requests expired, approved jobs sent, approved jobs still unsent, requests still waiting. */
  readonly approvals: { readonly expired: number; readonly sent: number; readonly unsent: number; readonly waiting: number };
}

export const handler = async (_event: ScheduledEvent, context: Context): Promise<ReconcileSummary> => {
  logger.addContext(context);
  const summary = summarize(await reconciler.run(), await approvals.run());
  // Rows the backend could not be asked about are retried next pass; say so loudly enough to alarm on.
  if (summary.failed || summary.approvals.unsent) logger.warn('reconciliation left rows pending', { ...summary });
  else logger.info('reconciliation finished', { ...summary });
  return summary;
};

function summarize(r: ReconcileReport, a: ApprovalSweepReport): ReconcileSummary {
  return {
    runId: r.runId,
    examined: r.examined,
    recorded: r.recorded.length,
    abandoned: r.abandoned.length,
    unconfirmed: r.unconfirmed.length,
    settledMeanwhile: r.settledMeanwhile.length,
    failed: r.failed.length,
    approvals: { expired: a.expired.length, sent: a.sent.length, unsent: a.unsent.length, waiting: a.waiting.length },
  };
}
