import { DynamoLedger } from '../../lambda/adapters/dynamodb/ledger.js';
import { InvalidCursor, type JobRecord } from '../../lambda/core/ledger.js';
import { startEmbeddedLedger, type EmbeddedLedger } from '../../local/embedded-ledger.js';

let store: EmbeddedLedger;
let ledger: DynamoLedger;

beforeAll(async () => {
  store = await startEmbeddedLedger();
  ledger = new DynamoLedger(store.client, store.tableName);
});
afterAll(() => store.close());

let n = 0;
const job = (over: Partial<JobRecord> = {}): JobRecord => {
  n++;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    id: `job-${String(n).padStart(26, 'a').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`,
    template: 'daily-sales-etl',
    backend: 'dataproc',
    status: 'QUEUED',
    backendStatus: 'RESERVED',
    parameters: { date: '2026-01-01' },
    requestHash: 'h1',
    principal: { issuer: 'https://idp', subject: 'alice', kind: 'user' },
    principalKey: 'https://idp#alice',
    createdAt: at,
    updatedAt: at,
    ...over,
  };
};

describe('DynamoLedger', () => {
  it('reserves a row once; a second reservation returns the first row untouched', async () => {
    const j = job();
    const first = await ledger.reserve(j);
    const second = await ledger.reserve({ ...j, requestHash: 'other' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.job.requestHash).toBe('h1');
    expect(second.job.pending).toBe('RESERVED');
  });

  it('records the backend reference once, and concurrent records agree', async () => {
    const j = job();
    await ledger.reserve(j);
    const ref = { kind: 'job' as const, id: 'dp-1' };
    const results = await Promise.all([1, 2, 3].map(() => ledger.recordSubmission(j.id, ref, { status: 'QUEUED', backendStatus: 'PENDING' }, new Date().toISOString())));
    for (const r of results) expect(r.backendRef).toEqual(ref);
    const stored = await ledger.get(j.id);
    expect(stored?.pending).toBeUndefined();
    expect(stored?.backendStatus).toBe('PENDING');
  });

  it('never moves a terminal job back to a running state', async () => {
    const j = job();
    await ledger.reserve(j);
    await ledger.updateStatus(j.id, { status: 'SUCCEEDED', backendStatus: 'DONE' }, new Date().toISOString());
    const after = await ledger.updateStatus(j.id, { status: 'RUNNING', backendStatus: 'RUNNING' }, new Date().toISOString());
    expect(after.status).toBe('SUCCEEDED');
  });

  it('lists a principal’s jobs newest first, page by page', async () => {
    const mine = [job({ principalKey: 'https://idp#lister' }), job({ principalKey: 'https://idp#lister' }), job({ principalKey: 'https://idp#lister' })];
    for (const j of mine) await ledger.reserve(j);
    await ledger.reserve(job({ principalKey: 'https://idp#someone-else' }));
    const p1 = await ledger.listByPrincipal('https://idp#lister', { limit: 2 });
    expect(p1.items.map((j) => j.id)).toEqual([mine[2]!.id, mine[1]!.id]);
    expect(p1.nextCursor).toBeDefined();
    const p2 = await ledger.listByPrincipal('https://idp#lister', { limit: 2, cursor: p1.nextCursor });
    expect(p2.items.map((j) => j.id)).toEqual([mine[0]!.id]);
  });

  it('rejects a cursor from another principal’s listing or a forged one', async () => {
    for (const j of [job({ principalKey: 'https://idp#c1' }), job({ principalKey: 'https://idp#c1' })]) await ledger.reserve(j);
    const page = await ledger.listByPrincipal('https://idp#c1', { limit: 1 });
    await expect(ledger.listByPrincipal('https://idp#c2', { limit: 1, cursor: page.nextCursor })).rejects.toBeInstanceOf(InvalidCursor);
    await expect(ledger.listByPrincipal('https://idp#c1', { limit: 1, cursor: 'not*base64' })).rejects.toBeInstanceOf(InvalidCursor);
    const forged = Buffer.from(JSON.stringify({ pk: 'JOB#x', createdAt: 'x', principalKey: 'https://idp#c1', extra: 1 })).toString('base64url');
    await expect(ledger.listByPrincipal('https://idp#c1', { limit: 1, cursor: forged })).rejects.toBeInstanceOf(InvalidCursor);
  });

  it('lists active jobs of a principal and template, and pending reservations by age', async () => {
    const a = job({ principalKey: 'https://idp#active', template: 'x' });
    const b = job({ principalKey: 'https://idp#active', template: 'x' });
    const c = job({ principalKey: 'https://idp#active', template: 'y' });
    for (const j of [a, b, c]) await ledger.reserve(j);
    await ledger.updateStatus(b.id, { status: 'FAILED', backendStatus: 'ERROR' }, new Date().toISOString());
    expect((await ledger.listActive('https://idp#active', 'x')).map((j) => j.id)).toEqual([a.id]);
    const pending = await ledger.listPending('2999-01-01T00:00:00.000Z', 100);
    expect(pending.map((j) => j.id)).toEqual(expect.arrayContaining([a.id, c.id]));
    expect(pending.map((j) => j.id)).not.toContain(b.id);
    expect(pending.every((j) => j.pending === 'RESERVED')).toBe(true);
  });
});
