// The AWS side of the API functions (catalog, jobs, admin), built once per execution environment: each entry composes
// its function (lambda/compose/) from these and the adapters only it needs, so its bundle holds only the AWS SDK
// commands its role is granted (test/cdk/least-privilege.test.ts derives one from the other).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ENV } from '../../contract/settings.js';
import { DynamoRevocationCheck } from '../adapters/dynamodb/revocation-check.js';
import { createLogger } from '../adapters/powertools/logger.js';
import type { ApiAdapters } from '../compose/api.js';
import { AuditTrail } from '../core/audit.js';
import { requiredEnv } from './settings.js';

export interface DeployedApi {
  readonly logger: Logger;
  /** One DynamoDB client for the function's ledger pieces. */
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly adapters: ApiAdapters;
}

export function deployedApi(fn: 'catalog' | 'jobs' | 'admin'): DeployedApi {
  const logger = createLogger(fn);
  const dynamo = new DynamoDBClient({});
  const tableName = requiredEnv(ENV.ledgerTable);
  const baseUrl = requiredEnv(ENV.apiBaseUrl);
  const revocations = new DynamoRevocationCheck(dynamo, tableName);
  return {
    logger,
    dynamo,
    tableName,
    adapters: { audit: new AuditTrail(logger), log: logger, isRevoked: (issuer, subject) => revocations.isRevoked(issuer, subject), baseUrl: () => baseUrl },
  };
}
