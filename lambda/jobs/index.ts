// Lambda entry of the jobs function: its settings and AWS adapters in, the composed handler out.
import { ENV } from '../../contract/settings.js';
import { DynamoLedger } from '../adapters/dynamodb/ledger.js';
import { PowertoolsJobMetrics } from '../adapters/powertools/job-metrics.js';
import { createMetrics } from '../adapters/powertools/signals.js';
import { SecretsManagerStore } from '../adapters/secrets-manager.js';
import { EventBridgeApprovalEvents } from '../adapters/eventbridge/approval-events.js';
import { composeJobs } from '../compose/jobs.js';
import { keyedHashFromSecret } from '../core/keyed-hash.js';
import { lambdaHandler } from '../http/lambda-handler.js';
import { deployedBackends } from '../runtime/deployed-backends.js';
import { deployedApi } from '../runtime/deployed.js';
import { readSettings, requiredEnv } from '../runtime/settings.js';

const settings = readSettings('jobs');
const aws = deployedApi('jobs');
const secrets = new SecretsManagerStore();
const { handler: handle } = composeJobs(settings, {
  ...aws.adapters,
  ledger: new DynamoLedger(aws.dynamo, aws.tableName),
  backends: deployedBackends(settings, secrets),
  // The only function that reads the MAC key: request hashes, principal tags and personal fingerprints are made here.
  keyedHash: keyedHashFromSecret(secrets, requiredEnv(ENV.macKeySecret)),
  metrics: new PowertoolsJobMetrics(createMetrics()),
  events: new EventBridgeApprovalEvents(),
});

// Each signal is written as it happens (emitSignal), so there is nothing to flush at the end of a request.
export const handler = lambdaHandler(aws.logger, handle);
