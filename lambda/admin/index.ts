// Lambda entry: the /admin/revocations routes.
import { RevocationService } from '../core/revocation-service.js';
import { lambdaHandler } from '../edge/lambda.js';
import { revocationGate } from '../edge/revocation-gate.js';
import { deployed } from '../runtime/deployed.js';
import { ENV, requiredEnv } from '../runtime/settings.js';
import { createAdminHandler } from './handler.js';

const { settings, logger, metrics, audit, ledger, revocations, service } = deployed('admin');
const baseUrl = requiredEnv(ENV.apiBaseUrl);

const handle = createAdminHandler({
  revocations: new RevocationService({ store: revocations, ledger, jobs: service, audit, access: settings.config.access }),
  refuseRevoked: revocationGate((issuer, subject) => revocations.isRevoked(issuer, subject), audit),
  maxBodyBytes: settings.config.api.maxBodyBytes,
  baseUrl: () => baseUrl,
  logError: (message, err) => logger.error(message, err as Error),
});

export const handler = lambdaHandler(logger, metrics, handle);
