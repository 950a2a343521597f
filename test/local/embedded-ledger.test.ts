// The embedded ledger in its own worker thread: it serves the ledger table, it leaves nothing open after close(), and
// what goes wrong (a port in use, a bad LevelDB path, a crash while in use) is an error that says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from '@jest/globals';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { EmbeddedLedgerCrashed, EmbeddedLedgerStartFailed, startEmbeddedLedger, startLedgerWorker } from '../../local/embedded-ledger.js';
import { LEDGER_TABLE } from '../../contract/ledger-table.js';

const CRASHING_WORKER = new URL('./fixtures/crashing-ledger-worker.mjs', import.meta.url);
const EMBEDDED_LEDGER = fileURLToPath(new URL('../../local/embedded-ledger.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Another thread's DynamoDB call (dynalite checks no signature), answered into the shared array: [done, status]. */
const ASK_LEDGER = `
  const { workerData } = require('node:worker_threads');
  fetch(workerData.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', 'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIALOCALGATEWAY0001/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' },
    body: '{}',
  }).then((res) => { Atomics.store(workerData.answer, 1, res.status); Atomics.store(workerData.answer, 0, 1); Atomics.notify(workerData.answer, 0); });
`;

describe('embedded ledger', () => {
  it('serves the ledger table (keys and indexes as deployed)', async () => {
    const ledger = await startEmbeddedLedger({ tableName: 'ledger-under-test' });
    try {
      const { Table } = await ledger.client.send(new DescribeTableCommand({ TableName: 'ledger-under-test' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' }]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([LEDGER_TABLE.pendingIndex.name, LEDGER_TABLE.principalIndex.name].sort());
    } finally {
      await ledger.close();
    }
  });

  it('answers while the thread that started it is busy: dynalite runs on its own event loop', async () => {
    const ledger = await startEmbeddedLedger();
    try {
      // GIVEN another thread that asks the ledger for its tables and then wakes this one with the HTTP status
      const answer = new Int32Array(new SharedArrayBuffer(8));
      const asker = new Worker(ASK_LEDGER, { eval: true, workerData: { endpoint: ledger.endpoint, answer } });
      // WHEN this thread blocks until then (a ledger on this thread could never answer: the wait would run out)
      const woken = Atomics.wait(answer, 0, 0, 30_000);
      await asker.terminate();
      // THEN the ledger answered
      expect(woken).toBe('ok');
      expect(answer[1]).toBe(200);
    } finally {
      await ledger.close();
    }
  });

  it('on the caller’s thread when asked (the benchmark’s comparison), with the same table', async () => {
    const ledger = await startEmbeddedLedger({ thread: 'main' });
    try {
      expect(process.getActiveResourcesInfo()).toContain('TCPServerWrap');
      const { Table } = await ledger.client.send(new DescribeTableCommand({ TableName: ledger.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      await ledger.close();
    }
  });

  it('close() leaves nothing open: a process that used the ledger exits by itself (as a jest worker must)', () => {
    const script = `
      import { PutItemCommand } from '@aws-sdk/client-dynamodb';
      import { startEmbeddedLedger } from ${JSON.stringify(EMBEDDED_LEDGER)};
      const ledger = await startEmbeddedLedger();
      await ledger.client.send(new PutItemCommand({ TableName: ledger.tableName, Item: { pk: { S: 'JOB#one' } } }));
      await ledger.close();
      console.log('closed');
    `;
    // a leaked handle would keep the process alive until the bound below, and fail the test
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 50_000, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(run.signal).toBeNull();
    expect(run.stdout).toContain('closed');
    expect(run.status).toBe(0);
  });

  it('close() frees its port', async () => {
    const ledger = await startEmbeddedLedger();
    const port = Number(new URL(ledger.endpoint).port);
    await ledger.close();
    const again = await startEmbeddedLedger({ port });
    expect(again.endpoint).toBe(`http://127.0.0.1:${port}`);
    await again.close();
  });

  it('a port already in use is a start error that names the address and the system code', async () => {
    const taken = await listen();
    const port = (taken.address() as { port: number }).port;
    try {
      const started = startEmbeddedLedger({ port });
      await expect(started).rejects.toThrow(EmbeddedLedgerStartFailed);
      await expect(started).rejects.toThrow(`could not listen on 127.0.0.1:${port}`);
      await expect(started).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      taken.close();
    }
  });

  it('a LevelDB path that cannot hold a database is a start error that names the table and the path, not a crash', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'djg-ledger-')), 'not-a-directory');
    writeFileSync(file, 'a file where the database directory should be');
    const started = startEmbeddedLedger({ path: file, tableName: 'ledger-on-disk' });
    await expect(started).rejects.toThrow(EmbeddedLedgerStartFailed);
    // abstract-level's words for it depend on how far its failed open got
    await expect(started).rejects.toThrow(new RegExp(`could not create its table ledger-on-disk in ${file}: its worker stopped: Database is (not open|closed)$`));
  });

  it('a worker that dies while in use is reported with its cause, and close() afterwards still resolves', async () => {
    const crashes: EmbeddedLedgerCrashed[] = [];
    let reported!: () => void;
    const crashed = new Promise<void>((resolve) => (reported = resolve));
    const server = await startLedgerWorker({ port: 0, host: '127.0.0.1' }, { script: CRASHING_WORKER, onCrash: (e) => (crashes.push(e), reported()) });
    server.started();
    await fetch(`http://127.0.0.1:${server.port}/`).catch(() => undefined);
    await crashed;
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toBeInstanceOf(EmbeddedLedgerCrashed);
    expect(crashes[0]!.message).toBe(
      `the embedded ledger (dynalite on 127.0.0.1:${server.port}) stopped: dynalite fell over; its data is gone and every ledger call fails until local mode is restarted`,
    );
    await server.close();
  });

  it('without an onCrash handler, a crash ends the process with the report on stderr, as a crash of an in-process store did', () => {
    const script = `
      import { startLedgerWorker } from ${JSON.stringify(EMBEDDED_LEDGER)};
      const server = await startLedgerWorker({ port: 0, host: '127.0.0.1' }, { script: new URL(${JSON.stringify(CRASHING_WORKER.href)}) });
      server.started();
      await fetch('http://127.0.0.1:' + server.port + '/').catch(() => undefined);
      setTimeout(() => {}, 60_000);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/EmbeddedLedgerCrashed: the embedded ledger \(dynalite on 127\.0\.0\.1:\d+\) stopped: dynalite fell over/);
  });
});

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
