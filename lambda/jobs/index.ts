// Lambda entry: the /jobs routes and POST /audit/fingerprints. Clients and services are built once per execution environment.
import { DynamoLedger } from '../core/dynamo-ledger.js';
import { JobOutputReader } from '../core/job-output.js';
import { keyedHashFromSecret } from '../core/keyed-hash.js';
import { DynamoRevocationCheck } from '../core/revocation-check.js';
import { lambdaHandler } from '../edge/lambda.js';
import { revocationGate } from '../edge/revocation-gate.js';
import { deployed, deployedJobsService } from '../runtime/deployed.js';
import { ENV, requiredEnv } from '../runtime/settings.js';
import { createJobsHandler } from './handler.js';

const d = deployed('jobs');
const revocations = new DynamoRevocationCheck(d.dynamo, d.tableName);
// The only function that reads the MAC key: request hashes, principal tags and personal fingerprints are made here.
const service = deployedJobsService(d, new DynamoLedger(d.dynamo, d.tableName), keyedHashFromSecret(d.secrets, requiredEnv(ENV.macKeySecret)));
const baseUrl = requiredEnv(ENV.apiBaseUrl);

const handle = createJobsHandler({
  service,
  output: new JobOutputReader({ jobs: service, audit: d.audit }),
  maxBodyBytes: d.settings.config.api.maxBodyBytes,
  baseUrl: () => baseUrl,
  refuseRevoked: revocationGate((issuer, subject) => revocations.isRevoked(issuer, subject), d.audit),
  logError: (message, err) => d.logger.error(message, err as Error),
});

export const handler = lambdaHandler(d.logger, d.metrics, handle);
