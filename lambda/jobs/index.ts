// Lambda entry: the /jobs routes. Clients and services are built once per execution environment.
import { TemplateCatalog } from '../core/catalog.js';
import { JobOutputReader } from '../core/job-output.js';
import { lambdaHandler } from '../edge/lambda.js';
import { revocationGate } from '../edge/revocation-gate.js';
import { deployed } from '../runtime/deployed.js';
import { createJobsHandler } from './handler.js';

const { settings, logger, metrics, audit, revocations, service } = deployed('jobs');

const handle = createJobsHandler({
  service,
  output: new JobOutputReader({ jobs: service, catalog: new TemplateCatalog(settings.templates), audit }),
  maxBodyBytes: settings.config.api.maxBodyBytes,
  refuseRevoked: revocationGate((issuer, subject) => revocations.isRevoked(issuer, subject), audit),
  logError: (message, err) => logger.error(message, err as Error),
});

export const handler = lambdaHandler(logger, metrics, handle);
