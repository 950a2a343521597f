// The ledger's DynamoDB table on dynalite, an embedded DynamoDB-compatible store, created with the deployed table's shape.
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LEDGER_TABLE } from '../contract/ledger-table.js';

/** Credentials for loopback stores and emulators only; they open nothing real. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'AKIALOCALGATEWAY0001', secretAccessKey: 'local-secret-access-key-for-emulators-only' } };

export interface EmbeddedLedger {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

export async function startEmbeddedLedger(options: { port?: number; host?: string; tableName?: string; path?: string } = {}): Promise<EmbeddedLedger> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const tableName = options.tableName ?? 'data-job-gateway-ledger';
  await createLedgerTable(client, tableName);
  return {
    endpoint,
    client,
    tableName,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same keys and indexes as the CDK ledger construct (both read LEDGER_TABLE). */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, principalIndex, pendingIndex } = LEDGER_TABLE;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: principalIndex.partitionKey, AttributeType: 'S' },
          { AttributeName: principalIndex.sortKey, AttributeType: 'S' },
          { AttributeName: pendingIndex.partitionKey, AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: principalIndex.name,
            KeySchema: [
              { AttributeName: principalIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: principalIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: pendingIndex.name,
            KeySchema: [
              { AttributeName: pendingIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: pendingIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}
