// The ledger's DynamoDB table on dynalite, an embedded DynamoDB-compatible store, created with the deployed table's shape.
// dynalite runs in its own worker thread (local/ledger-worker.mjs), so its request parsing and storage work do not queue
// behind the local gateway, the handlers and the emulators on local mode's one event loop (bench/FINDINGS.md, section 3).
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { LEDGER_TABLE } from '../contract/ledger-table.js';

/** Credentials for loopback stores and emulators only; they open nothing real. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'AKIALOCALGATEWAY0001', secretAccessKey: 'local-secret-access-key-for-emulators-only' } };

export interface EmbeddedLedger {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

/** Where dynalite runs: its own worker thread, or the event loop of the thread that started it (as before issue 15). */
export type LedgerThread = 'worker' | 'main';

export interface EmbeddedLedgerOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default data-job-gateway-ledger */
  readonly tableName?: string;
  /** A LevelDB directory to keep the data in. @default in memory */
  readonly path?: string;
  /** @default 'worker' */
  readonly thread?: LedgerThread;
  /**
   * Told when the ledger's worker stops without close() having asked it to; the ledger is gone from then on.
   * @default throws the error from an event handler (an uncaught exception), as a crash of an in-process store did
   */
  readonly onCrash?: (error: EmbeddedLedgerCrashed) => void;
}

/** The embedded ledger could not start: its port, its directory, its worker or its table. */
export class EmbeddedLedgerStartFailed extends Error {
  override readonly name = 'EmbeddedLedgerStartFailed';
  constructor(
    message: string,
    /** The system error code where there is one (EADDRINUSE, EACCES, ...). */
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The ledger's worker stopped while the ledger was in use: every later ledger call fails. */
export class EmbeddedLedgerCrashed extends Error {
  override readonly name = 'EmbeddedLedgerCrashed';
}

export async function startEmbeddedLedger(options: EmbeddedLedgerOptions = {}): Promise<EmbeddedLedger> {
  const settings: LedgerServerSettings = { port: options.port ?? 0, host: options.host ?? '127.0.0.1', ...(options.path ? { path: options.path } : {}) };
  const server = options.thread === 'main' ? await startOnThisThread(settings) : await startLedgerWorker(settings, { onCrash: options.onCrash });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const tableName = options.tableName ?? 'data-job-gateway-ledger';
  const close = async () => {
    client.destroy();
    await server.close();
  };
  try {
    await Promise.race([createLedgerTable(client, tableName), server.stopped]);
  } catch (err) {
    await close();
    const reason = err instanceof Error ? err.message : String(err);
    throw new EmbeddedLedgerStartFailed(`the embedded ledger could not create its table ${tableName}${settings.path ? ` in ${settings.path}` : ''}: ${reason}`, undefined, { cause: err });
  }
  server.started();
  return { endpoint, client, tableName, close };
}

/** What local/ledger-worker.mjs reads from workerData. */
export interface LedgerServerSettings {
  readonly port: number;
  readonly host: string;
  readonly path?: string;
}

/** A listening dynalite server, wherever it runs. */
export interface LedgerServer {
  readonly port: number;
  /** Rejects if the server stops before close() (a worker's crash); never resolves otherwise. */
  readonly stopped: Promise<never>;
  /** Marks the end of start-up: from now on an unexpected stop goes to onCrash instead of `stopped`. */
  started(): void;
  close(): Promise<void>;
}

type WorkerMessage = { type: 'listening'; port: number } | { type: 'error'; message: string; code?: string } | { type: 'closed'; message?: string };

/**
 * dynalite in a worker thread running `script` (local/ledger-worker.mjs; tests give another). Its first message says
 * whether it listens; an exit that close() did not ask for is a crash.
 */
export async function startLedgerWorker(
  settings: LedgerServerSettings,
  options: { script?: URL; onCrash?: (error: EmbeddedLedgerCrashed) => void } = {},
): Promise<LedgerServer> {
  let where = `${settings.host}:${settings.port}`;
  // No loader flags from the parent (tsx, jest's VM modules): the worker is plain JavaScript.
  const worker = new Worker(options.script ?? new URL('./ledger-worker.mjs', import.meta.url), { workerData: settings, execArgv: [] });
  let phase: 'starting' | 'running' | 'closing' = 'starting';
  let alive = true;
  let failure: Error | undefined;
  let rejectStopped: (err: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (rejectStopped = reject));
  stopped.catch(() => {}); // read by startEmbeddedLedger only while it creates the table
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  void exited.then(() => (alive = false));
  const reportCrash =
    options.onCrash ??
    ((error: EmbeddedLedgerCrashed) => {
      throw error;
    });

  // An uncaught exception in the worker arrives here, then 'exit'.
  worker.on('error', (err) => (failure = err));
  worker.once('exit', (code) => {
    if (phase === 'closing') return;
    const cause = failure ?? new Error(`its thread exited with code ${code}`);
    if (phase === 'starting') return rejectStopped(new EmbeddedLedgerCrashed(`its worker stopped: ${cause.message}`, { cause }));
    reportCrash(new EmbeddedLedgerCrashed(`the embedded ledger (dynalite on ${where}) stopped: ${cause.message}; its data is gone and every ledger call fails until local mode is restarted`, { cause }));
  });

  const first = await Promise.race([once(worker), exited.then(() => undefined)]);
  if (first?.type !== 'listening') {
    await exited;
    if (first?.type === 'error') throw new EmbeddedLedgerStartFailed(`the embedded ledger could not listen on ${where}: ${first.message}`, first.code);
    throw new EmbeddedLedgerStartFailed(`the embedded ledger's worker stopped before it listened on ${where}: ${failure?.message ?? 'no error given'}`, undefined, { cause: failure });
  }
  where = `${settings.host}:${first.port}`;
  return {
    port: first.port,
    stopped,
    started: () => {
      if (phase === 'starting') phase = 'running';
    },
    async close() {
      const asked = phase === 'closing';
      phase = 'closing';
      if (asked || !alive) return void (await exited);
      const answer = once(worker);
      worker.postMessage('close');
      const closed = await Promise.race([answer, exited.then(() => undefined)]);
      await exited;
      if (closed?.type === 'closed' && closed.message) throw new Error(`the embedded ledger did not close cleanly: ${closed.message}`);
    },
  };
}

function once(worker: Worker): Promise<WorkerMessage> {
  return new Promise((resolve) => worker.once('message', resolve));
}

/** dynalite on the caller's event loop, loaded only when asked for. */
async function startOnThisThread(settings: LedgerServerSettings): Promise<LedgerServer> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(settings.path ? { path: settings.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new EmbeddedLedgerStartFailed(`the embedded ledger could not listen on ${settings.host}:${settings.port}: ${err.message}`, err.code, { cause: err })),
    );
    server.listen(settings.port, settings.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stopped: new Promise<never>(() => {}),
    started: () => {},
    close: () => new Promise<void>((resolve, reject) => server.close((err?: Error) => (err ? reject(err) : resolve()))),
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
