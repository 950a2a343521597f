// Lambda entry of the REQUEST authorizer. Everything is built once at module scope so warm invocations reuse the
// verifier, its JWKS cache and the verified-token cache.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AuditTrail } from '../core/audit.js';
import { embeddedSettings } from '../runtime/settings.js';
import { createAuthorizer } from './authorizer.js';
import { createJwksFetcher } from './jwks-fetcher.js';

const settings = embeddedSettings();
const logger = new Logger({ serviceName: settings.config.name, persistentKeys: { function: 'authorizer' } });

const authorize = createAuthorizer({
  auth: settings.config.auth,
  audit: new AuditTrail(logger),
  // deployed: https only, whatever the config says
  jwksFetcher: createJwksFetcher({ allowLoopbackHttp: false }),
  logger,
});

export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => authorize(event);
