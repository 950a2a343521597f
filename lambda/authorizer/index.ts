// Lambda entry of the REQUEST authorizer. Everything is built once at module scope so warm invocations reuse the
// verifier, its JWKS cache and the verified-token cache.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { ENV } from '../../contract/settings.js';
import { DynamoRevocationCheck } from '../adapters/dynamodb/revocation-check.js';
import { PowertoolsAuthorizerMetrics } from '../adapters/powertools/authorizer-metrics.js';
import { createLogger } from '../adapters/powertools/logger.js';
import { createMetrics } from '../adapters/powertools/signals.js';
import { composeAuthorizer } from '../compose/authorizer.js';
import { AuditTrail } from '../core/audit.js';
import { rememberedRevocationCheck } from '../core/revocations.js';
import { readSettings, requiredEnv } from '../runtime/settings.js';
import { createJwksFetcher } from './jwks-fetcher.js';

const logger = createLogger('authorizer');
// Revocation is checked on every call: refuse to start rather than run without it.
const revocations = new DynamoRevocationCheck(new DynamoDBClient({}), requiredEnv(ENV.ledgerTable));

const authorize = composeAuthorizer(readSettings('authorizer'), {
  audit: new AuditTrail(logger),
  // deployed: https only, whatever the config says
  jwksFetcher: createJwksFetcher({ allowLoopbackHttp: false }),
  logger,
  metrics: new PowertoolsAuthorizerMetrics(createMetrics()),
  // Remembered briefly: the functions behind the authorizer re-check on every request with a consistent read.
  isRevoked: rememberedRevocationCheck((issuer, subject) => revocations.isRevoked(issuer, subject), 5000),
});

export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => authorize(event);
