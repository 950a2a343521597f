// The embedded ledger in its own worker thread: it serves the ledger table, it leaves nothing open after close(), and
// what goes wrong (a port in use, a bad LevelDB path, a crash while in use) is an error that says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { EmbeddedLedgerCrashed, EmbeddedLedgerStartFailed, startEmbeddedLedger, startLedgerWorker } from '../../local/embedded-ledger.js';
import { LEDGER_TABLE } from '../../lambda/core/ledger-schema.js';

const CRASHING_WORKER = new URL('./fixtures/crashing-ledger-worker.mjs', import.meta.url);
/** What this thread holds open (sockets, servers, message ports), as a sorted list to compare. */
const openHere = () => process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'Immediate').sort();
/** One turn of the event loop: handles whose close was asked for are gone by then. */
const aTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('embedded ledger', () => {
  it('serves the ledger table (keys and indexes as deployed) from a worker thread: no listening socket of it is on this thread', async () => {
    const before = openHere();
    const ledger = await startEmbeddedLedger({ tableName: 'ledger-under-test' });
    try {
      const { Table } = await ledger.client.send(new DescribeTableCommand({ TableName: 'ledger-under-test' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' }]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([LEDGER_TABLE.pendingIndex.name, LEDGER_TABLE.principalIndex.name].sort());
      expect(openHere().filter((r) => r === 'TCPServerWrap')).toEqual(before.filter((r) => r === 'TCPServerWrap'));
    } finally {
      await ledger.close();
    }
  });

  it('on the caller’s thread when asked (the benchmark’s comparison), with the same table', async () => {
    const ledger = await startEmbeddedLedger({ thread: 'main' });
    try {
      expect(openHere()).toContain('TCPServerWrap');
      const { Table } = await ledger.client.send(new DescribeTableCommand({ TableName: ledger.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      await ledger.close();
    }
  });

  it('close() leaves nothing open that would keep a process (or a jest worker) alive, and frees its port', async () => {
    await aTurn();
    const before = openHere();
    const ledger = await startEmbeddedLedger();
    const port = Number(new URL(ledger.endpoint).port);
    await ledger.close();
    await aTurn();
    expect(openHere()).toEqual(before);
    const again = await startEmbeddedLedger({ port });
    expect(again.endpoint).toBe(`http://127.0.0.1:${port}`);
    await again.close();
  });

  it('a port already in use is a start error that names the address and the system code', async () => {
    const taken = await listen();
    const port = (taken.address() as { port: number }).port;
    await aTurn();
    const before = openHere();
    try {
      const started = startEmbeddedLedger({ port });
      await expect(started).rejects.toThrow(EmbeddedLedgerStartFailed);
      await expect(started).rejects.toThrow(`could not listen on 127.0.0.1:${port}`);
      await expect(started).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await aTurn();
      expect(openHere()).toEqual(before);
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
      import { startLedgerWorker } from ${JSON.stringify(new URL('../../local/embedded-ledger.ts', import.meta.url).pathname)};
      const server = await startLedgerWorker({ port: 0, host: '127.0.0.1' }, { script: new URL(${JSON.stringify(CRASHING_WORKER.href)}) });
      server.started();
      await fetch('http://127.0.0.1:' + server.port + '/').catch(() => undefined);
      setTimeout(() => {}, 60_000);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
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
