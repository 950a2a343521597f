// Lambda entry: the /jobs routes. Clients and services are built once per execution environment.
import { lambdaHandler } from '../edge/lambda.js';
import { revocationGate } from '../edge/revocation-gate.js';
import { deployed } from '../runtime/deployed.js';
import { ENV, requiredEnv } from '../runtime/settings.js';
import { createJobsHandler } from './handler.js';

const { settings, logger, metrics, audit, revocations, service } = deployed('jobs');
const baseUrl = requiredEnv(ENV.apiBaseUrl);

const handle = createJobsHandler({
  service,
  maxBodyBytes: settings.config.api.maxBodyBytes,
  baseUrl: () => baseUrl,
  refuseRevoked: revocationGate((issuer, subject) => revocations.isRevoked(issuer, subject), audit),
  logError: (message, err) => logger.error(message, err as Error),
});

export const handler = lambdaHandler(logger, metrics, handle);
