// Lambda entry of the Secrets Manager rotation function. Clients are built once per container; Secrets Manager
// invokes it once per step with {Step, SecretId, ClientRequestToken}.
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { AuditTrail } from '../core/audit.js';
import { METRICS } from '../core/metric-names.js';
import { createMetrics } from '../edge/metrics.js';
import { embeddedSettings } from '../runtime/settings.js';
import { HttpDatabricksOAuthSecretsApi } from './databricks-oauth-api.js';
import { HttpDatabricksTokenApi } from './databricks-token-api.js';
import { IamKeyApi } from './google-key-api.js';
import { PowertoolsRotationMetrics } from './metrics.js';
import { createRotationHandler } from './rotation.js';
import { SecretsManagerVersions } from './secrets-manager-versions.js';
import { rotationTargets } from './targets.js';

const settings = embeddedSettings();
// The service every gateway function logs and counts under (its metrics' `service` dimension), not the stack's name.
const logger = new Logger({ serviceName: METRICS.service, persistentKeys: { function: 'rotation' } });
const google = settings.config.dataproc?.credentials;

const rotate = createRotationHandler({
  secrets: new SecretsManagerVersions(new SecretsManagerClient({})),
  rotatorFor: rotationTargets({
    config: settings.config,
    env: process.env,
    databricks: new HttpDatabricksTokenApi({ maxRetries: settings.config.databricks?.maxRetries }),
    databricksOAuth: new HttpDatabricksOAuthSecretsApi({ maxRetries: settings.config.databricks?.maxRetries }),
    google: new IamKeyApi(google?.type === 'service-account-key' ? { iamEndpoint: google.iamEndpoint, tokenUrl: google.tokenUrl } : {}),
  }),
  audit: new AuditTrail(logger),
  metrics: new PowertoolsRotationMetrics(createMetrics()),
  log: { info: (message, extra) => logger.info(message, extra ?? {}), warn: (message, extra) => logger.warn(message, extra ?? {}) },
});

export const handler = (event: SecretsManagerRotationEvent, context?: Pick<Context, 'awsRequestId'>): Promise<void> =>
  rotate(event, { awsRequestId: context?.awsRequestId });
