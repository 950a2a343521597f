// The Cloud Storage JSON API part of the Dataproc emulator: driver output written while a job runs, served as GCS
// serves objects (https://cloud.google.com/storage/docs/json_api/v1/objects/list and /get).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDataprocEmulator, type DataprocEmulator } from '../../local/emulators/dataproc.js';
import { ManualClock } from '../../local/emulators/faults.js';

const STEP = 1000;
const JOBS = '/v1/projects/acme-data/regions/europe-west1/jobs';
const OWNER = 'etl@acme-data.iam.gserviceaccount.com';

describe('Cloud Storage JSON API for driver output', () => {
  const clock = new ManualClock();
  let emulator: DataprocEmulator;
  let bucket: string;
  let prefix: string;

  const get = async (path: string, options: { token?: string; range?: string } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? 'token-etl'}` };
    if (options.range) headers.range = options.range;
    const res = await fetch(`${emulator.url}${path}`, { headers });
    const bytes = Buffer.from(await res.arrayBuffer());
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json') ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: res.status, headers: res.headers, bytes, json };
  };
  const objectPath = (name: string) => `/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`;

  beforeAll(async () => {
    emulator = await startDataprocEmulator({
      clock,
      stepMs: STEP,
      verifyToken: (bearer) => ({ 'token-etl': { principal: OWNER }, 'token-other': { principal: 'other@acme-data.iam.gserviceaccount.com' } })[bearer],
    });
    const job = { placement: { clusterName: 'etl-cluster' }, pysparkJob: { mainPythonFileUri: 'gs://acme-jobs/daily.py', args: ['--date', '2026-01-01'] } };
    const res = await fetch(`${emulator.url}${JOBS}:submit`, { method: 'POST', headers: { authorization: 'Bearer token-etl', 'content-type': 'application/json' }, body: JSON.stringify({ job }) });
    const submitted = (await res.json()) as { driverOutputResourceUri: string };
    [, bucket, prefix] = /^gs:\/\/([^/]+)\/(.+)$/.exec(submitted.driverOutputResourceUri)!;
  });
  afterAll(() => emulator.close());

  it('writes nothing before the driver runs: an empty listing has no items', async () => {
    const list = await get(`/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(`${prefix}.`)}`);
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ kind: 'storage#objects' });
  });

  it('lists the numbered objects under a prefix with their size and generation as strings', async () => {
    clock.advance(2 * STEP + STEP / 2);
    const list = await get(`/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(`${prefix}.`)}`);
    expect(list.json.items.map((o: { name: string }) => o.name)).toEqual([`${prefix}.000000000`, `${prefix}.000000001`]);
    const first = list.json.items[0];
    expect(first).toMatchObject({ kind: 'storage#object', bucket, id: `${bucket}/${prefix}.000000000/${first.generation}`, metageneration: '1' });
    expect(first.size).toMatch(/^\d+$/);
    expect(first.generation).toMatch(/^\d+$/);
  });

  it('pages a listing with maxResults and pageToken', async () => {
    const path = `/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(`${prefix}.`)}&maxResults=1`;
    const page1 = await get(path);
    expect(page1.json.items).toHaveLength(1);
    const page2 = await get(`${path}&pageToken=${encodeURIComponent(page1.json.nextPageToken)}`);
    expect(page2.json.items.map((o: { name: string }) => o.name)).toEqual([`${prefix}.000000001`]);
    expect(page2.json.nextPageToken).toBeUndefined();
  });

  it('rolls a delimiter\'s deeper names up into prefixes', async () => {
    const list = await get(`/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent('google-cloud-dataproc-metainfo/')}&delimiter=/`);
    expect(list.json.items).toBeUndefined();
    expect(list.json.prefixes).toEqual([`${prefix.split('/').slice(0, 2).join('/')}/`]);
  });

  it('downloads media with alt=media, whole or as a Range (206 with Content-Range)', async () => {
    const name = `${prefix}.000000000`;
    const whole = await get(`${objectPath(name)}?alt=media`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-goog-generation')).toMatch(/^\d+$/);
    const size = whole.bytes.length;
    const part = await get(`${objectPath(name)}?alt=media`, { range: 'bytes=5-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 5-9/${size}`);
    expect(part.bytes).toEqual(whole.bytes.subarray(5, 10));
    const tail = await get(`/download${objectPath(name)}?alt=media`, { range: 'bytes=-4' });
    expect(tail.bytes).toEqual(whole.bytes.subarray(size - 4));
  });

  it('answers 416 for a range that starts past the end', async () => {
    const res = await get(`${objectPath(`${prefix}.000000000`)}?alt=media`, { range: 'bytes=100000-' });
    expect(res.status).toBe(416);
    expect(res.json.error).toMatchObject({ code: 416, errors: [{ reason: 'requestedRangeNotSatisfiable', domain: 'global' }] });
  });

  it('rewrites the last object as the driver writes more: a new generation, a larger size', async () => {
    const name = `${prefix}.000000001`;
    const before = (await get(objectPath(name))).json;
    clock.advance(STEP / 4);
    const after = (await get(objectPath(name))).json;
    expect(Number(after.size)).toBeGreaterThan(Number(before.size));
    expect(after.generation).not.toBe(before.generation);
    // an old generation no longer exists
    expect((await get(`${objectPath(name)}?generation=${before.generation}`)).status).toBe(404);
  });

  it('answers 404 notFound for a missing object or bucket, in GCS\'s error shape', async () => {
    const missing = await get(objectPath(`${prefix}.000000099`));
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: { code: 404, message: `No such object: ${bucket}/${prefix}.000000099`, errors: [{ message: `No such object: ${bucket}/${prefix}.000000099`, domain: 'global', reason: 'notFound' }] },
    });
    expect((await get('/storage/v1/b/no-such-bucket/o')).json.error.message).toBe('The specified bucket does not exist.');
  });

  it('lets only the workload\'s own service account read its objects (403 forbidden otherwise)', async () => {
    const res = await get(objectPath(`${prefix}.000000000`), { token: 'token-other' });
    expect(res.status).toBe(403);
    expect(res.json.error.errors[0].reason).toBe('forbidden');
    expect((await get(`/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(prefix)}`, { token: 'token-other' })).status).toBe(403);
    expect((await get(objectPath(`${prefix}.000000000`), { token: 'forged' })).status).toBe(401);
  });
});
