// Lambda entry: the /admin/revocations routes.
import { DynamoLedger } from '../core/dynamo-ledger.js';
import { RevocationService } from '../core/revocation-service.js';
import { DynamoRevocationStore } from '../core/revocations.js';
import { lambdaHandler } from '../edge/lambda.js';
import { revocationGate } from '../edge/revocation-gate.js';
import { deployed, deployedJobsService } from '../runtime/deployed.js';
import { ENV, requiredEnv } from '../runtime/settings.js';
import { createAdminHandler } from './handler.js';

const d = deployed('admin');
const ledger = new DynamoLedger(d.dynamo, d.tableName);
const revocations = new DynamoRevocationStore(d.dynamo, d.tableName);
// Revoking cancels the principal's active jobs: the jobs service without the MAC key (the admin function submits nothing).
const service = deployedJobsService(d, ledger);
const baseUrl = requiredEnv(ENV.apiBaseUrl);

const handle = createAdminHandler({
  revocations: new RevocationService({ store: revocations, ledger, jobs: service, audit: d.audit, access: d.settings.config.access }),
  refuseRevoked: revocationGate((issuer, subject) => revocations.isRevoked(issuer, subject), d.audit),
  maxBodyBytes: d.settings.config.api.maxBodyBytes,
  baseUrl: () => baseUrl,
  logError: (message, err) => d.logger.error(message, err as Error),
});

export const handler = lambdaHandler(d.logger, d.metrics, handle);
