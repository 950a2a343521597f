import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDataprocEmulator, type DataprocEmulator } from '../../local/emulators/dataproc.js';
import { ManualClock } from '../../local/emulators/faults.js';

const STEP = 1000;
const P = 'acme-data';
const R = 'europe-west1';
const JOBS = `/v1/projects/${P}/regions/${R}/jobs`;
const BATCHES = `/v1/projects/${P}/locations/${R}/batches`;

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const pyspark = (extra: Record<string, unknown> = {}) => ({
  placement: { clusterName: 'etl-cluster' },
  pysparkJob: { mainPythonFileUri: 'gs://acme-jobs/daily.py', args: ['--date', '2026-01-01'] },
  ...extra,
});

const pysparkBatch = (extra: Record<string, unknown> = {}) => ({
  pysparkBatch: { mainPythonFileUri: 'gs://acme-jobs/batch.py', args: ['--date', '2026-01-01'] },
  ...extra,
});

describe('Dataproc emulator', () => {
  const clock = new ManualClock();
  let emulator: DataprocEmulator;
  let seq = 0;
  const uniqueId = (prefix: string) => `${prefix}-${++seq}`;

  const call = async (method: string, path: string, body?: unknown, token: string | null = 'token-alice'): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${emulator.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() };
  };
  const submit = (job: unknown, requestId?: string, token?: string) => call('POST', `${JOBS}:submit`, { job, ...(requestId ? { requestId } : {}) }, token);

  beforeAll(async () => {
    emulator = await startDataprocEmulator({
      clock,
      stepMs: STEP,
      verifyToken: (bearer) => (bearer.startsWith('token-') ? { principal: `${bearer.slice('token-'.length)}@acme.iam.gserviceaccount.com` } : undefined),
    });
  });
  afterAll(() => emulator.close());

  describe('authentication', () => {
    it('answers 401 UNAUTHENTICATED without a bearer token', async () => {
      const res = await call('GET', JOBS, undefined, null);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    });

    it('answers 401 when verifyToken rejects the token, and creates nothing', async () => {
      const before = emulator.jobs().length;
      const res = await submit(pyspark(), undefined, 'forged');
      expect(res.status).toBe(401);
      expect(res.body.error.status).toBe('UNAUTHENTICATED');
      expect(emulator.jobs()).toHaveLength(before);
    });

    it('records the principal that submitted each job', async () => {
      const jobId = uniqueId('who');
      await submit(pyspark({ reference: { jobId } }), undefined, 'token-etl-runner');
      expect(emulator.jobs().find((j) => j.jobId === jobId)?.principal).toBe('etl-runner@acme.iam.gserviceaccount.com');
    });
  });

  describe('cluster jobs', () => {
    it('moves a job PENDING → SETUP_DONE → RUNNING → DONE, one step per state, with history', async () => {
      const jobId = uniqueId('flow');
      const submitted = await submit(pyspark({ reference: { jobId } }));
      expect(submitted.status).toBe(200);
      expect(submitted.body).toMatchObject({ reference: { projectId: P, jobId }, status: { state: 'PENDING' }, done: false });
      expect(submitted.body.jobUuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(submitted.body.driverOutputResourceUri).toMatch(new RegExp(`^gs://.+/jobs/${jobId}/driveroutput$`));

      const states: string[] = [];
      for (let i = 0; i < 3; i++) {
        clock.advance(STEP);
        states.push((await call('GET', `${JOBS}/${jobId}`)).body.status.state);
      }
      expect(states).toEqual(['SETUP_DONE', 'RUNNING', 'DONE']);
      const done = (await call('GET', `${JOBS}/${jobId}`)).body;
      expect(done.done).toBe(true);
      expect(done.statusHistory.map((s: { state: string }) => s.state)).toEqual(['PENDING', 'SETUP_DONE', 'RUNNING']);
      expect(done.jobUuid).toBe(submitted.body.jobUuid);
    });

    it('ends a job in ERROR with details when its config contains EMULATOR_FAIL', async () => {
      const jobId = uniqueId('fail');
      await submit({ ...pyspark({ reference: { jobId } }), pysparkJob: { mainPythonFileUri: 'gs://a/b.py', args: ['EMULATOR_FAIL'] } });
      clock.advance(3 * STEP);
      const job = (await call('GET', `${JOBS}/${jobId}`)).body;
      expect(job.status.state).toBe('ERROR');
      expect(job.status.details).toContain('EMULATOR_FAIL');
      expect(job.done).toBe(true);
    });

    it('returns the first job for a repeated requestId and creates no second job', async () => {
      const jobId = uniqueId('dedup');
      const first = await submit(pyspark({ reference: { jobId } }), `req-${jobId}`);
      const again = await submit(pyspark({ reference: { jobId } }), `req-${jobId}`);
      expect(again.status).toBe(200);
      expect(again.body.jobUuid).toBe(first.body.jobUuid);
      expect(emulator.jobs().filter((j) => j.jobId === jobId)).toHaveLength(1);
    });

    it('answers 409 ALREADY_EXISTS for a known jobId with another requestId or none', async () => {
      const jobId = uniqueId('taken');
      await submit(pyspark({ reference: { jobId } }), `req-${jobId}`);
      for (const requestId of [`other-${jobId}`, undefined]) {
        const res = await submit(pyspark({ reference: { jobId } }), requestId);
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ code: 409, status: 'ALREADY_EXISTS' });
        expect(res.body.error.message).toContain(`jobs/${jobId}`);
      }
    });

    it('generates a job id when the reference has none', async () => {
      const res = await submit(pyspark());
      expect(res.status).toBe(200);
      expect(res.body.reference.jobId).toMatch(/^[0-9a-f]{32}$/);
    });

    it.each([
      ['a job id with a dot', pyspark({ reference: { jobId: 'bad.id' } })],
      ['a job id of 101 characters', pyspark({ reference: { jobId: 'a'.repeat(101) } })],
      ['no placement.clusterName', { pysparkJob: { mainPythonFileUri: 'gs://a/b.py' } }],
      ['two job types', pyspark({ sparkJob: { mainClass: 'Main' } })],
      ['no job type', { placement: { clusterName: 'c' } }],
      ['a pyspark job without mainPythonFileUri', { placement: { clusterName: 'c' }, pysparkJob: { args: [] } }],
      ['an unknown field', pyspark({ pysparkJobb: {} })],
      ['a label key with capitals', pyspark({ labels: { Team: 'x' } })],
      ['a label key starting with a digit', pyspark({ labels: { '1team': 'x' } })],
      ['a label value of 64 characters', pyspark({ labels: { team: 'x'.repeat(64) } })],
      ['a label value with a dot', pyspark({ labels: { team: 'a.b' } })],
      ['33 labels', pyspark({ labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) })],
      ['a reference to another project', pyspark({ reference: { projectId: 'other-project', jobId: 'x1' } })],
    ])('rejects %s with 400 INVALID_ARGUMENT', async (_what, job) => {
      const before = emulator.jobs().length;
      const res = await submit(job);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(emulator.jobs()).toHaveLength(before);
    });

    it('names the bad label in a BadRequest field violation', async () => {
      const res = await submit(pyspark({ labels: { Team: 'x' } }));
      expect(res.body.error.details[0]).toMatchObject({
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [expect.objectContaining({ field: 'job.labels[Team]' })],
      });
    });

    it('accepts 32 valid labels, an empty value and international lowercase letters', async () => {
      const labels: Record<string, string> = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, `v-${i}_x`]));
      labels.empty = '';
      labels['équipe'] = 'données';
      const res = await submit(pyspark({ labels }));
      expect(res.status).toBe(200);
      expect(res.body.labels).toEqual(labels);
    });

    it('rejects a requestId longer than 40 characters', async () => {
      const res = await submit(pyspark(), 'r'.repeat(41));
      expect(res.status).toBe(400);
      expect(res.body.error.status).toBe('INVALID_ARGUMENT');
    });

    it('cancels a running job: CANCEL_PENDING, then CANCELLED a step later', async () => {
      const jobId = uniqueId('cancel');
      await submit(pyspark({ reference: { jobId } }));
      clock.advance(2 * STEP);
      const cancelled = await call('POST', `${JOBS}/${jobId}:cancel`, {});
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status.state).toBe('CANCEL_PENDING');
      clock.advance(STEP);
      const job = (await call('GET', `${JOBS}/${jobId}`)).body;
      expect(job.status.state).toBe('CANCELLED');
      expect(job.statusHistory.map((s: { state: string }) => s.state)).toEqual(['PENDING', 'SETUP_DONE', 'RUNNING', 'CANCEL_PENDING']);
    });

    it('refuses to cancel a finished job with 400 FAILED_PRECONDITION', async () => {
      const jobId = uniqueId('finished');
      await submit(pyspark({ reference: { jobId } }));
      clock.advance(3 * STEP);
      const res = await call('POST', `${JOBS}/${jobId}:cancel`, {});
      expect(res.status).toBe(400);
      expect(res.body.error.status).toBe('FAILED_PRECONDITION');
      expect(res.body.error.message).toContain("in state: 'DONE'");
    });

    it('answers 404 NOT_FOUND for an unknown job and a job of another region', async () => {
      const jobId = uniqueId('here');
      await submit(pyspark({ reference: { jobId } }));
      for (const path of [`${JOBS}/nope`, `/v1/projects/${P}/regions/us-east1/jobs/${jobId}`]) {
        const res = await call('GET', path);
        expect(res.status).toBe(404);
        expect(res.body.error.status).toBe('NOT_FOUND');
      }
    });

    it('lists jobs page by page and filters by state and label', async () => {
      const project = `/v1/projects/list-proj/regions/${R}/jobs`;
      const submitIn = (job: unknown) => call('POST', `${project}:submit`, { job });
      await submitIn(pyspark({ reference: { jobId: 'old-1' }, labels: { team: 'sales' } }));
      await submitIn(pyspark({ reference: { jobId: 'old-2' }, labels: { team: 'ops' } }));
      clock.advance(3 * STEP);
      await submitIn(pyspark({ reference: { jobId: 'new-1' }, labels: { team: 'sales' } }));

      const first = await call('GET', `${project}?pageSize=2`);
      expect(first.body.jobs).toHaveLength(2);
      expect(first.body.nextPageToken).toEqual(expect.any(String));
      const second = await call('GET', `${project}?pageSize=2&pageToken=${first.body.nextPageToken}`);
      expect(second.body.jobs).toHaveLength(1);
      expect(second.body.nextPageToken).toBeUndefined();
      const ids = (jobs: { reference: { jobId: string } }[]) => jobs.map((j) => j.reference.jobId).sort();
      expect(ids([...first.body.jobs, ...second.body.jobs])).toEqual(['new-1', 'old-1', 'old-2']);

      expect(ids((await call('GET', `${project}?jobStateMatcher=ACTIVE`)).body.jobs)).toEqual(['new-1']);
      expect(ids((await call('GET', `${project}?jobStateMatcher=NON_ACTIVE`)).body.jobs)).toEqual(['old-1', 'old-2']);
      const filter = encodeURIComponent('status.state = NON_ACTIVE AND labels.team = sales');
      expect(ids((await call('GET', `${project}?filter=${filter}`)).body.jobs)).toEqual(['old-1']);
      expect(ids((await call('GET', `${project}?filter=${encodeURIComponent('labels.team = *')}`)).body.jobs)).toEqual(['new-1', 'old-1', 'old-2']);
    });

    it('rejects a filter with OR or an unknown field, and a forged page token', async () => {
      for (const query of [`filter=${encodeURIComponent('labels.a = b OR labels.c = d')}`, `filter=${encodeURIComponent('owner = me')}`, 'pageToken=forged']) {
        const res = await call('GET', `${JOBS}?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.error.status).toBe('INVALID_ARGUMENT');
      }
    });
  });

  describe('serverless batches', () => {
    const operationName = new RegExp(`^projects/${P}/regions/${R}/operations/[0-9a-f-]{36}$`);

    it('creates a batch as a long-running operation and moves it PENDING → RUNNING → SUCCEEDED', async () => {
      const batchId = uniqueId('batch');
      const created = await call('POST', `${BATCHES}?batchId=${batchId}&requestId=req-${batchId}`, pysparkBatch());
      expect(created.status).toBe(200);
      expect(created.body.name).toMatch(operationName);
      expect(created.body.metadata).toMatchObject({
        '@type': 'type.googleapis.com/google.cloud.dataproc.v1.BatchOperationMetadata',
        batch: `projects/${P}/locations/${R}/batches/${batchId}`,
        operationType: 'BATCH',
      });
      expect(created.body.done).toBe(false);

      const batch = (await call('GET', `${BATCHES}/${batchId}`)).body;
      expect(batch).toMatchObject({ state: 'PENDING', operation: created.body.name, creator: 'alice@acme.iam.gserviceaccount.com' });
      clock.advance(STEP);
      expect((await call('GET', `${BATCHES}/${batchId}`)).body.state).toBe('RUNNING');
      clock.advance(STEP);
      const finished = (await call('GET', `${BATCHES}/${batchId}`)).body;
      expect(finished.state).toBe('SUCCEEDED');
      expect(finished.stateHistory.map((s: { state: string }) => s.state)).toEqual(['PENDING', 'RUNNING']);

      const operation = (await call('GET', `/v1/${created.body.name}`)).body;
      expect(operation.done).toBe(true);
      expect(operation.response).toMatchObject({ '@type': 'type.googleapis.com/google.cloud.dataproc.v1.Batch', state: 'SUCCEEDED' });
    });

    it('ends a batch FAILED with a state message when its config contains EMULATOR_FAIL', async () => {
      const batchId = uniqueId('batch-fail');
      const created = await call('POST', `${BATCHES}?batchId=${batchId}`, { pysparkBatch: { mainPythonFileUri: 'gs://a/b.py', args: ['EMULATOR_FAIL'] } });
      clock.advance(2 * STEP);
      const batch = (await call('GET', `${BATCHES}/${batchId}`)).body;
      expect(batch.state).toBe('FAILED');
      expect(batch.stateMessage).toContain('EMULATOR_FAIL');
      expect((await call('GET', `/v1/${created.body.name}`)).body.error).toMatchObject({ code: expect.any(Number), message: batch.stateMessage });
    });

    it('returns the first operation for a repeated requestId and answers 409 for a known batchId', async () => {
      const batchId = uniqueId('batch-dedup');
      const first = await call('POST', `${BATCHES}?batchId=${batchId}&requestId=req-${batchId}`, pysparkBatch());
      const again = await call('POST', `${BATCHES}?batchId=${batchId}&requestId=req-${batchId}`, pysparkBatch());
      expect(again.body.name).toBe(first.body.name);
      expect(emulator.batches().filter((b) => b.batchId === batchId)).toHaveLength(1);
      const conflict = await call('POST', `${BATCHES}?batchId=${batchId}&requestId=another-${batchId}`, pysparkBatch());
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.status).toBe('ALREADY_EXISTS');
    });

    it.each([
      ['a batchId with capitals', 'Batch-1', pysparkBatch()],
      ['a batchId of 3 characters', 'abc', pysparkBatch()],
      ['a batchId of 64 characters', 'a'.repeat(64), pysparkBatch()],
      ['a batchId with an underscore', 'my_batch', pysparkBatch()],
      ['no batch type', 'no-type', { labels: { a: 'b' } }],
      ['bad labels', 'bad-labels', pysparkBatch({ labels: { 'Bad Key': 'v' } })],
    ])('rejects %s with 400 INVALID_ARGUMENT', async (_what, batchId, body) => {
      const res = await call('POST', `${BATCHES}?batchId=${encodeURIComponent(batchId)}`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.status).toBe('INVALID_ARGUMENT');
    });

    it('cancels a batch through its operation: CANCELLING, then CANCELLED', async () => {
      const batchId = uniqueId('batch-cancel');
      const created = await call('POST', `${BATCHES}?batchId=${batchId}`, pysparkBatch());
      clock.advance(STEP);
      const cancel = await call('POST', `/v1/${created.body.name}:cancel`, {});
      expect(cancel).toEqual({ status: 200, body: {} });
      expect((await call('GET', `${BATCHES}/${batchId}`)).body.state).toBe('CANCELLING');
      clock.advance(STEP);
      expect((await call('GET', `${BATCHES}/${batchId}`)).body.state).toBe('CANCELLED');
      const again = await call('POST', `/v1/${created.body.name}:cancel`, {});
      expect(again.status).toBe(400);
      expect(again.body.error.status).toBe('FAILED_PRECONDITION');
    });

    it('lists batches newest first with filters on state and labels', async () => {
      const base = `/v1/projects/batch-list/locations/${R}/batches`;
      await call('POST', `${base}?batchId=first`, pysparkBatch({ labels: { team: 'sales' } }));
      clock.advance(2 * STEP);
      await call('POST', `${base}?batchId=second`, pysparkBatch({ labels: { team: 'ops' } }));
      const names = (res: Answer) => res.body.batches.map((b: { name: string }) => b.name.split('/').pop());
      expect(names(await call('GET', base))).toEqual(['second', 'first']);
      expect(names(await call('GET', `${base}?filter=${encodeURIComponent('state = SUCCEEDED')}`))).toEqual(['first']);
      expect(names(await call('GET', `${base}?filter=${encodeURIComponent('labels.team = ops OR state = SUCCEEDED')}`))).toEqual(['second', 'first']);
      const paged = await call('GET', `${base}?pageSize=1`);
      expect(names(paged)).toEqual(['second']);
      expect(names(await call('GET', `${base}?pageSize=1&pageToken=${paged.body.nextPageToken}`))).toEqual(['first']);
    });

    it('answers 404 for an unknown operation', async () => {
      const res = await call('GET', `/v1/projects/${P}/regions/${R}/operations/nope`);
      expect(res.status).toBe(404);
      expect(res.body.error.status).toBe('NOT_FOUND');
    });
  });

  it('answers 404 with a Google error body for an unknown route', async () => {
    const res = await call('GET', '/v1/projects/p/regions/r/clusters');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
  });
});

describe('Dataproc emulator faults', () => {
  const job = { placement: { clusterName: 'c' }, pysparkJob: { mainPythonFileUri: 'gs://a/b.py' } };
  const post = (url: string, body: unknown) =>
    fetch(`${url}/v1/projects/p/regions/r/jobs:submit`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: JSON.stringify(body) });

  it('answers injected 429 and 503 with Google error bodies and does no work', async () => {
    const emulator = await startDataprocEmulator({ faults: { errorRate: 1, kinds: ['429'], latencyMs: 0 } });
    try {
      const throttled = await post(emulator.url, { job });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('1');
      expect(((await throttled.json()) as { error: unknown }).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
      emulator.faults.settings = { errorRate: 1, kinds: ['503'], latencyMs: 0 };
      const unavailable = await post(emulator.url, { job });
      expect(unavailable.status).toBe(503);
      expect(((await unavailable.json()) as { error: unknown }).error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
      expect(emulator.jobs()).toHaveLength(0);
      expect(emulator.faults.stats.injected).toMatchObject({ '429': 1, '503': 1 });
    } finally {
      await emulator.close();
    }
  });

  it('creates the job but drops the connection on a reset after work', async () => {
    // random: fault (0.1 < 0.5), kind index 0 (reset), after the work (0.1 < 0.5); later calls see no fault.
    const sequence = [0.1, 0, 0.1];
    const emulator = await startDataprocEmulator({ faults: { errorRate: 0.5, kinds: ['reset'], latencyMs: 0 }, random: () => sequence.shift() ?? 0.9 });
    try {
      await expect(post(emulator.url, { job: { ...job, reference: { jobId: 'lost-answer' } }, requestId: 'lost-answer' })).rejects.toThrow();
      expect(emulator.jobs().map((j) => j.jobId)).toEqual(['lost-answer']);
      const retried = await post(emulator.url, { job: { ...job, reference: { jobId: 'lost-answer' } }, requestId: 'lost-answer' });
      expect(retried.status).toBe(200);
      expect(emulator.jobs()).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });
});

describe('Dataproc emulator IAM', () => {
  let emulator: DataprocEmulator;
  const ALICE = 'alice@acme.iam.gserviceaccount.com';

  beforeAll(async () => {
    emulator = await startDataprocEmulator({
      verifyToken: (bearer) => ({ principal: `${bearer.slice('token-'.length)}@acme.iam.gserviceaccount.com` }),
      iam: { permissions: { [ALICE]: ['dataproc.jobs.create', 'dataproc.jobs.get', 'dataproc.batches.create'] }, actAs: { [ALICE]: [ALICE] } },
    });
  });
  afterAll(() => emulator.close());

  const call = async (method: string, path: string, token: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() };
  };

  it('answers PERMISSION_DENIED to a principal without the method\'s permission, whoever created the job', async () => {
    const created = await call('POST', `${JOBS}:submit`, 'token-alice', { job: { ...pyspark(), reference: { jobId: 'iam-job-1' } } });
    expect(created.status).toBe(200);
    expect((await call('GET', `${JOBS}/iam-job-1`, 'token-alice')).status).toBe(200);
    const denied = await call('GET', `${JOBS}/iam-job-1`, 'token-bob');
    expect(denied).toEqual({
      status: 403,
      body: { error: { code: 403, status: 'PERMISSION_DENIED', message: `Permission 'dataproc.jobs.get' denied on resource '//dataproc.googleapis.com/projects/${P}/regions/${R}/jobs/iam-job-1' (or it may not exist).` } },
    });
    expect((await call('POST', `${JOBS}/iam-job-1:cancel`, 'token-alice', {})).body.error.message).toContain("'dataproc.jobs.cancel'");
  });

  it('runs a batch as its execution service account, or the default compute account, and needs actAs on it', async () => {
    const asItself = await call('POST', `${BATCHES}?batchId=iam-batch-1`, 'token-alice', pysparkBatch({ environmentConfig: { executionConfig: { serviceAccount: ALICE } } }));
    expect(asItself.status).toBe(200);
    expect(emulator.batches().find((b) => b.batchId === 'iam-batch-1')?.runtimeServiceAccount).toBe(ALICE);

    const asDefault = await call('POST', `${BATCHES}?batchId=iam-batch-2`, 'token-alice', pysparkBatch());
    expect(asDefault).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED', message: expect.stringContaining("'iam.serviceAccounts.actAs'") } } });
    expect(asDefault.body.error.message).toContain('123456789012-compute@developer.gserviceaccount.com');

    const notAnAccount = await call('POST', `${BATCHES}?batchId=iam-batch-3`, 'token-alice', pysparkBatch({ environmentConfig: { executionConfig: { serviceAccount: 'alice' } } }));
    expect(notAnAccount).toMatchObject({ status: 400, body: { error: { status: 'INVALID_ARGUMENT' } } });
  });
});
