// Lambda entry: GET /templates, /templates/{id}, /openapi.json. Everything is built once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { AuditTrail } from '../core/audit.js';
import { TemplateCatalog } from '../core/catalog.js';
import { DynamoRevocationCheck } from '../core/revocation-check.js';
import { revocationGate } from '../edge/revocation-gate.js';
import { embeddedSettings, ENV, requiredEnv } from '../runtime/settings.js';
import { createCatalogHandler } from './handler.js';

const logger = new Logger({ serviceName: 'data-job-gateway', persistentKeys: { function: 'catalog' } });
const settings = embeddedSettings();
const table = requiredEnv(ENV.ledgerTable);
const baseUrl = requiredEnv(ENV.apiBaseUrl);
const revocations = new DynamoRevocationCheck(new DynamoDBClient({}), table);

export const handler = createCatalogHandler({
  catalog: new TemplateCatalog(settings.templates),
  baseUrl: () => baseUrl,
  refuseRevoked: revocationGate((issuer, subject) => revocations.isRevoked(issuer, subject), new AuditTrail(logger)),
  logError: (message, err) => logger.error(message, err as Error),
});
