import { ScanCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
export { ScanCommand, DynamoDBDocumentClient };
