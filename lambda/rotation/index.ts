// Lambda entry of the Secrets Manager rotation function. Clients are built once per container; Secrets Manager
// invokes it once per step with {Step, SecretId, ClientRequestToken}.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { ENV } from '../../contract/settings.js';
import { HttpDatabricksOAuthSecretsApi } from '../adapters/databricks/oauth-secrets-api.js';
import { HttpDatabricksTokenApi } from '../adapters/databricks/token-api.js';
import { IamKeyApi } from '../adapters/google/key-api.js';
import { createLogger } from '../adapters/powertools/logger.js';
import { PowertoolsRotationMetrics } from '../adapters/powertools/rotation-metrics.js';
import { createMetrics } from '../adapters/powertools/signals.js';
import { SecretsManagerVersions } from '../adapters/secrets-manager-versions.js';
import { composeRotation } from '../compose/rotation.js';
import { AuditTrail } from '../core/audit.js';
import { readSettings } from '../runtime/settings.js';

const settings = readSettings('rotation');
const logger = createLogger('rotation');
const google = settings.dataproc?.credentials;

const rotate = composeRotation(settings, {
  secrets: new SecretsManagerVersions(new SecretsManagerClient({})),
  secretIds: { databricks: process.env[ENV.databricksSecret], googleKey: process.env[ENV.googleKeySecret] },
  databricks: new HttpDatabricksTokenApi({ maxRetries: settings.databricks?.maxRetries }),
  databricksOAuth: new HttpDatabricksOAuthSecretsApi({ maxRetries: settings.databricks?.maxRetries }),
  google: new IamKeyApi(google?.type === 'service-account-key' ? { iamEndpoint: google.iamEndpoint, tokenUrl: google.tokenUrl } : {}),
  audit: new AuditTrail(logger),
  metrics: new PowertoolsRotationMetrics(createMetrics()),
  log: { info: (message, extra) => logger.info(message, extra ?? {}), warn: (message, extra) => logger.warn(message, extra ?? {}) },
});

export const handler = (event: SecretsManagerRotationEvent, context?: Pick<Context, 'awsRequestId'>): Promise<void> =>
  rotate(event, { awsRequestId: context?.awsRequestId });
