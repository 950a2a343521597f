// Lambda entry of the REQUEST authorizer. Everything is built once at module scope so warm invocations reuse the
// verifier, its JWKS cache and the verified-token cache.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuditTrail } from '../core/audit.js';
import { DynamoRevocationCheck, rememberedRevocationCheck } from '../core/revocation-check.js';
import { embeddedSettings, ENV, requiredEnv } from '../runtime/settings.js';
import { createAuthorizer } from './authorizer.js';
import { createJwksFetcher } from './jwks-fetcher.js';
import { PowertoolsAuthorizerMetrics } from '../edge/auth-metrics.js';
import { createMetrics } from '../edge/metrics.js';

const settings = embeddedSettings();
const logger = new Logger({ serviceName: 'data-job-gateway', persistentKeys: { function: 'authorizer' } });

// Revocation is checked on every call: refuse to start rather than run without it.
const revocations = new DynamoRevocationCheck(new DynamoDBClient({}), requiredEnv(ENV.ledgerTable));

const authorize = createAuthorizer({
  auth: settings.config.auth,
  audit: new AuditTrail(logger),
  // deployed: https only, whatever the config says
  jwksFetcher: createJwksFetcher({ allowLoopbackHttp: false }),
  logger,
  metrics: new PowertoolsAuthorizerMetrics(createMetrics()),
  // Remembered briefly: the functions behind the authorizer re-check on every request with a consistent read.
  isRevoked: rememberedRevocationCheck((issuer, subject) => revocations.isRevoked(issuer, subject), 5000),
});

export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => authorize(event);
