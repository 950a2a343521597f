// Lambda entry of the admin function: its settings and AWS adapters in, the composed handler out.
import { DynamoLedger } from '../adapters/dynamodb/ledger.js';
import { DynamoRevocationStore } from '../adapters/dynamodb/revocations.js';
import { PowertoolsJobMetrics } from '../adapters/powertools/job-metrics.js';
import { createMetrics } from '../adapters/powertools/signals.js';
import { EventBridgeApprovalEvents } from '../adapters/eventbridge/approval-events.js';
import { composeAdmin } from '../compose/admin.js';
import { lambdaHandler } from '../http/lambda-handler.js';
import { deployedBackends } from '../runtime/deployed-backends.js';
import { deployedApi } from '../runtime/deployed.js';
import { readSettings } from '../runtime/settings.js';

const settings = readSettings('admin');
const aws = deployedApi('admin');
const revocations = new DynamoRevocationStore(aws.dynamo, aws.tableName);
const { handler: handle } = composeAdmin(settings, {
  ...aws.adapters,
  // Consistent reads through the store that also writes revocations.
  isRevoked: (issuer, subject) => revocations.isRevoked(issuer, subject),
  revocations,
  ledger: new DynamoLedger(aws.dynamo, aws.tableName),
  backends: deployedBackends(settings),
  metrics: new PowertoolsJobMetrics(createMetrics()),
  // Revoking a submitter ends their waiting jobs, which is published like any decision.
  events: new EventBridgeApprovalEvents(),
});

// Each signal is written as it happens (emitSignal), so there is nothing to flush at the end of a request.
export const handler = lambdaHandler(aws.logger, handle);
