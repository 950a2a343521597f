// The ledger's DynamoDB table on dynalite, an embedded DynamoDB-compatible store, created with the deployed table's shape.
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LEDGER_TABLE } from '../lambda/core/ledger-schema.js';

/** Credentials for loopback stores and emulators only; they open nothing real. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'AKIALOCALGATEWAY0001', secretAccessKey: 'local-secret-access-key-for-emulators-only' } };

export interface EmbeddedLedger {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

export type LedgerIsolation = 'worker' | 'process' | 'main';

export async function startEmbeddedLedger(options: { port?: number; host?: string; tableName?: string; path?: string; isolation?: LedgerIsolation } = {}): Promise<EmbeddedLedger> {
  const host = options.host ?? '127.0.0.1';
  const settings = { port: options.port ?? 0, host, path: options.path };
  let port: number;
  let stop: () => Promise<void>;
  const isolation = options.isolation ?? 'worker';
  if (isolation === 'main') {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, host, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else {
    const script = new URL('./ledger-worker.mjs', import.meta.url);
    type Message = { type: 'listening'; port: number } | { type: 'error' | 'closed'; message?: string; code?: string };
    const channel: { on(f: (m: Message) => void): void; send(m: string): void; exited: Promise<void> } =
      isolation === 'worker'
        ? (() => {
            const w = new Worker(script, { workerData: settings, execArgv: [] });
            return { on: (f) => w.on('message', f), send: (m) => w.postMessage(m), exited: new Promise((r) => w.once('exit', () => r())) };
          })()
        : (() => {
            const c: ChildProcess = fork(script, [], { env: { ...process.env, DJG_LEDGER_OPTIONS: JSON.stringify(settings) }, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
            return { on: (f) => c.on('message', f as (m: unknown) => void), send: (m) => c.send(m), exited: new Promise((r) => c.once('exit', () => r())) };
          })();
    const messages: Message[] = [];
    let waiting: ((m: Message) => void) | undefined;
    channel.on((m) => (waiting ? (waiting(m), (waiting = undefined)) : messages.push(m)));
    const next = () => (messages.length ? Promise.resolve(messages.shift()!) : new Promise<Message>((r) => (waiting = r)));
    const first = await next();
    if (first.type !== 'listening') throw Object.assign(new Error(first.message), { code: first.code });
    port = first.port;
    stop = async () => {
      channel.send('close');
      await next();
      await channel.exited;
    };
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const tableName = options.tableName ?? 'data-job-gateway-ledger';
  await createLedgerTable(client, tableName);
  return {
    endpoint,
    client,
    tableName,
    close: async () => {
      client.destroy();
      await stop();
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
