import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OAuth2Client } from 'google-auth-library';
import { DataprocBackend, type DataprocBackendProps } from '../../lambda/adapters/dataproc/backend.js';
import type { Submission } from '../../lambda/core/backend.js';
import { BackendFailure, BackendRejected, TemplateError, toProblem } from '../../lambda/core/errors.js';
import type { Principal } from '../../lambda/core/principal.js';
import type { Template } from '../../contract/template.js';
import { startDataprocEmulator, type DataprocEmulator } from '../../local/emulators/dataproc.js';
import { ManualClock } from '../../local/emulators/faults.js';

const STEP = 1000;
const PROJECT = 'acme-data';
const REGION = 'europe-west1';
const GATEWAY_TOKEN = 'ya29.gateway-secret-token';
const ETL_TOKEN = 'ya29.etl-sa-secret-token';
const ETL_SA = 'etl-runner@acme-data.iam.gserviceaccount.com';
const GATEWAY_SA = 'gateway@acme-data.iam.gserviceaccount.com';
const TOKENS: Record<string, string> = { [GATEWAY_TOKEN]: GATEWAY_SA, [ETL_TOKEN]: ETL_SA };

const principal: Principal = { issuer: 'https://idp.example.com', subject: 'alice', groups: ['analysts'], kind: 'user', scopes: [] };

const template = (id: string, dataproc: Template['dataproc']): Template => ({
  id,
  description: 'test template',
  backend: 'dataproc',
  allowedGroups: ['analysts'],
  allowAgents: false,
  datasets: [],
  sensitiveParameters: [],
  personalParameters: [],
  parameters: { type: 'object' },
  limits: {},
  dataproc,
  file: `templates/${id}.yaml`,
});

const clusterJob = {
  placement: { clusterName: 'etl-cluster' },
  pysparkJob: { mainPythonFileUri: 'gs://acme-jobs/daily_sales.py', args: ['--date', '2026-01-01'] },
  labels: { team: 'Sales' },
};
const serverlessBatch = {
  pysparkBatch: { mainPythonFileUri: 'gs://acme-jobs/batch.py', args: ['--date', '2026-01-01'] },
  environmentConfig: { executionConfig: { serviceAccount: ETL_SA } },
};

const jobTemplate = template('daily-sales-etl', { job: clusterJob });
const batchTemplate = template('serverless-sales', { batch: serverlessBatch, serviceAccount: ETL_SA });

let seq = 0;
const newJobId = () => `job-${String(++seq).padStart(4, '0')}${'x'.repeat(22)}`;
const PRINCIPAL_TAG = 'a1b2c3d4e5f60718';
const submission = (tpl: Template, rendered: Record<string, unknown>, jobId = newJobId()): Submission => ({ jobId, template: tpl, rendered, principal, principalTag: PRINCIPAL_TAG });
const jobSubmission = (rendered: Record<string, unknown> = { job: clusterJob }) => submission(jobTemplate, rendered);
const batchSubmission = (rendered: Record<string, unknown> = { batch: serverlessBatch }) => submission(batchTemplate, rendered);

const tokenClient = (token: string) => {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token });
  return client;
};

describe('DataprocBackend against the emulator', () => {
  const clock = new ManualClock();
  let emulator: DataprocEmulator;
  let backend: DataprocBackend;
  const authCalls: (string | undefined)[] = [];

  const newBackend = (props: Partial<DataprocBackendProps> = {}) =>
    new DataprocBackend({
      projectId: PROJECT,
      region: REGION,
      endpoint: emulator.url,
      serviceAccount: GATEWAY_SA,
      auth: (serviceAccount) => {
        authCalls.push(serviceAccount);
        return tokenClient(serviceAccount === ETL_SA ? ETL_TOKEN : GATEWAY_TOKEN);
      },
      retries: 2,
      retryBaseMs: 5,
      ...props,
    });

  beforeAll(async () => {
    emulator = await startDataprocEmulator({
      clock,
      stepMs: STEP,
      verifyToken: (bearer) => (TOKENS[bearer] ? { principal: TOKENS[bearer]! } : undefined),
    });
    backend = newBackend();
  });
  afterAll(() => emulator.close());

  /** Advance the emulator clock one step at a time until the job settles; returns the states seen. */
  const pollToTerminal = async (ref: Parameters<DataprocBackend['get']>[0]) => {
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const state = await backend.get(ref);
      seen.push(`${state.status}/${state.backendStatus}`);
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state.status)) return { seen, last: state };
      clock.advance(STEP);
    }
    throw new Error(`never settled: ${seen.join(', ')}`);
  };

  describe('cluster jobs', () => {
    it('submits the planned request, labelled, and polls it to SUCCEEDED', async () => {
      const sub = jobSubmission();
      const planned = backend.plan(sub);
      const before = emulator.requests().length;

      const ref = await backend.submit(sub);

      expect(ref).toEqual({
        kind: 'job',
        id: sub.jobId,
        consoleUrl: `https://console.cloud.google.com/dataproc/jobs/${sub.jobId}?region=${REGION}&project=${PROJECT}`,
        submittedAs: GATEWAY_SA,
        status: 'QUEUED',
        backendStatus: 'PENDING',
      });
      const sent = emulator.requests().slice(before).filter((r) => r.method === 'POST');
      expect(sent).toHaveLength(1);
      expect({ method: sent[0]!.method, url: sent[0]!.url, body: sent[0]!.body }).toEqual(planned);
      expect(planned.body).toMatchObject({
        requestId: sub.jobId,
        job: {
          reference: { projectId: PROJECT, jobId: sub.jobId },
          labels: { team: 'sales', 'gateway-template': 'daily-sales-etl', 'gateway-principal': PRINCIPAL_TAG, 'gateway-job-id': sub.jobId },
        },
      });

      const { seen, last } = await pollToTerminal(ref);
      expect(seen).toEqual(['QUEUED/PENDING', 'QUEUED/SETUP_DONE', 'RUNNING/RUNNING', 'SUCCEEDED/DONE']);
      expect(last).toEqual({ status: 'SUCCEEDED', backendStatus: 'DONE' });
    });

    it('reports FAILED with the job status details', async () => {
      const ref = await backend.submit(jobSubmission({ job: { ...clusterJob, pysparkJob: { mainPythonFileUri: 'gs://a/b.py', args: ['EMULATOR_FAIL'] } } }));
      const { last } = await pollToTerminal(ref);
      expect(last.status).toBe('FAILED');
      expect(last.backendStatus).toBe('ERROR');
      expect(last.message).toContain('EMULATOR_FAIL');
    });

    it('submits as the gateway identity when the template names no service account', async () => {
      const sub = jobSubmission();
      await backend.submit(sub);
      expect(emulator.jobs().find((j) => j.jobId === sub.jobId)?.principal).toBe(TOKENS[GATEWAY_TOKEN]);
    });

    it('returns the same job for a retried submit and creates no second one', async () => {
      const sub = jobSubmission();
      const first = await backend.submit(sub);
      const again = await backend.submit(sub);
      expect(again.id).toBe(first.id);
      expect(emulator.jobs().filter((j) => j.jobId === sub.jobId)).toHaveLength(1);
    });

    it('adopts its own job on 409 ALREADY_EXISTS (the requestId was not recognised)', async () => {
      const sub = jobSubmission();
      // The first attempt reached Dataproc under another requestId, e.g. after Dataproc forgot the first one.
      const planned = backend.plan(sub).body as { job: unknown };
      await fetch(`${emulator.url}/v1/projects/${PROJECT}/regions/${REGION}/jobs:submit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_TOKEN}` },
        body: JSON.stringify({ job: planned.job, requestId: 'an-older-attempt' }),
      });
      const before = emulator.requests().length;

      const ref = await backend.submit(sub);

      expect(ref).toMatchObject({ kind: 'job', id: sub.jobId, status: 'QUEUED' });
      expect(emulator.jobs().filter((j) => j.jobId === sub.jobId)).toHaveLength(1);
      expect(emulator.requests().slice(before).map((r) => r.method)).toEqual(['POST', 'GET']);
    });

    it('refuses to adopt a job with the same id that the gateway did not create', async () => {
      const sub = jobSubmission();
      await fetch(`${emulator.url}/v1/projects/${PROJECT}/regions/${REGION}/jobs:submit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_TOKEN}` },
        body: JSON.stringify({ job: { ...clusterJob, labels: {}, reference: { jobId: sub.jobId } } }),
      });
      const err = await backend.submit(sub).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendRejected);
      expect(err).toMatchObject({ backendCode: 'ALREADY_EXISTS' });
    });

    it('cancels a running job: CANCELLING, then CANCELLED', async () => {
      const ref = await backend.submit(jobSubmission());
      clock.advance(2 * STEP);
      expect(await backend.cancel(ref)).toEqual({ status: 'CANCELLING', backendStatus: 'CANCEL_PENDING' });
      clock.advance(STEP);
      expect(await backend.get(ref)).toEqual({ status: 'CANCELLED', backendStatus: 'CANCELLED' });
    });

    it('answers a cancel of a finished job with its final state', async () => {
      const ref = await backend.submit(jobSubmission());
      clock.advance(3 * STEP);
      expect(await backend.cancel(ref)).toEqual({ status: 'SUCCEEDED', backendStatus: 'DONE' });
    });

    it('maps a job Dataproc rejects to BackendRejected with the Google status', async () => {
      const err = await backend.submit(jobSubmission({ job: { pysparkJob: { mainPythonFileUri: 'gs://a/b.py' } } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendRejected);
      expect(err).toMatchObject({ backendCode: 'INVALID_ARGUMENT', status: 502 });
      expect((err as Error).message).toContain('Cluster name is required');
    });
  });

  describe('serverless batches', () => {
    it('creates the planned batch as the template service account and polls it to SUCCEEDED', async () => {
      const sub = batchSubmission();
      const planned = backend.plan(sub);
      const before = emulator.requests().length;

      const ref = await backend.submit(sub);

      expect(ref).toMatchObject({
        kind: 'batch',
        id: sub.jobId,
        consoleUrl: `https://console.cloud.google.com/dataproc/batches/${REGION}/${sub.jobId}?project=${PROJECT}`,
        status: 'QUEUED',
        backendStatus: 'PENDING',
      });
      const sent = emulator.requests().slice(before).filter((r) => r.method === 'POST');
      expect({ method: sent[0]!.method, url: sent[0]!.url, body: sent[0]!.body }).toEqual(planned);
      expect(planned.url).toBe(`${emulator.url}/v1/projects/${PROJECT}/locations/${REGION}/batches?batchId=${sub.jobId}&requestId=${sub.jobId}`);
      expect(emulator.batches().find((b) => b.batchId === sub.jobId)?.principal).toBe(ETL_SA);
      expect(authCalls).toContain(ETL_SA);

      const { seen } = await pollToTerminal(ref);
      expect(seen).toEqual(['QUEUED/PENDING', 'RUNNING/RUNNING', 'SUCCEEDED/SUCCEEDED']);
    });

    it('reports FAILED with the batch state message', async () => {
      const ref = await backend.submit(batchSubmission({ batch: { pysparkBatch: { mainPythonFileUri: 'gs://a/b.py', args: ['EMULATOR_FAIL'] } } }));
      const { last } = await pollToTerminal(ref);
      expect(last).toMatchObject({ status: 'FAILED', backendStatus: 'FAILED', message: expect.stringContaining('EMULATOR_FAIL') });
    });

    it('returns the same batch for a retried submit and creates no second one', async () => {
      const sub = batchSubmission();
      const first = await backend.submit(sub);
      expect(await backend.submit(sub)).toMatchObject({ kind: 'batch', id: first.id });
      expect(emulator.batches().filter((b) => b.batchId === sub.jobId)).toHaveLength(1);
    });

    it('adopts its own batch on 409 ALREADY_EXISTS', async () => {
      const sub = batchSubmission();
      const planned = backend.plan(sub);
      await fetch(planned.url.replace(/requestId=[^&]+/, 'requestId=an-older-attempt'), {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_TOKEN}` },
        body: JSON.stringify(planned.body),
      });
      expect(await backend.submit(sub)).toMatchObject({ kind: 'batch', id: sub.jobId, status: 'QUEUED' });
      expect(emulator.batches().filter((b) => b.batchId === sub.jobId)).toHaveLength(1);
    });

    it("cancels a batch through its operation: CANCELLING, then CANCELLED", async () => {
      const ref = await backend.submit(batchSubmission());
      clock.advance(STEP);
      const before = emulator.requests().length;
      expect(await backend.cancel(ref)).toEqual({ status: 'CANCELLING', backendStatus: 'CANCELLING' });
      const operation = emulator.batches().find((b) => b.batchId === ref.id)!.operation;
      expect(emulator.requests().slice(before).some((r) => r.method === 'POST' && r.url === `${emulator.url}/v1/${operation}:cancel`)).toBe(true);
      clock.advance(STEP);
      expect(await backend.get(ref)).toEqual({ status: 'CANCELLED', backendStatus: 'CANCELLED' });
      expect(await backend.cancel(ref)).toEqual({ status: 'CANCELLED', backendStatus: 'CANCELLED' });
    });
  });

  describe('plan', () => {
    it('is pure: planning sends nothing', () => {
      const before = emulator.requests().length;
      backend.plan(jobSubmission());
      backend.plan(batchSubmission());
      expect(emulator.requests()).toHaveLength(before);
    });

    it('fails with a TemplateError naming the file when the block is neither job nor batch', () => {
      expect(() => backend.plan(jobSubmission({ job: clusterJob, batch: serverlessBatch }))).toThrow(TemplateError);
      expect(() => backend.plan(jobSubmission({}))).toThrow(/templates\/daily-sales-etl\.yaml/);
    });

    it('fails with a TemplateError when the template leaves no room for the gateway labels', () => {
      const labels = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v']));
      expect(() => backend.plan(jobSubmission({ job: { ...clusterJob, labels } }))).toThrow(TemplateError);
    });

    it('overrides a job id the template tried to set', () => {
      const sub = jobSubmission({ job: { ...clusterJob, reference: { jobId: 'chosen-by-template' } } });
      expect((backend.plan(sub).body as { job: { reference: unknown } }).job.reference).toEqual({ projectId: PROJECT, jobId: sub.jobId });
    });
  });

  describe('failures', () => {
    /** A backend with one retry against a fresh emulator with these fault settings. */
    const withFaults = async (
      settings: Parameters<typeof startDataprocEmulator>[0],
      run: (b: DataprocBackend, e: DataprocEmulator) => Promise<void>,
      props: Partial<DataprocBackendProps> = {},
    ) => {
      const faulty = await startDataprocEmulator({ stepMs: STEP, clock, verifyToken: (bearer) => (TOKENS[bearer] ? { principal: TOKENS[bearer]! } : undefined), ...settings });
      try {
        await run(newBackend({ endpoint: faulty.url, retries: 1, ...props }), faulty);
      } finally {
        await faulty.close();
      }
    };
    const expectNoSecrets = (err: unknown) => {
      const text = JSON.stringify({ message: (err as Error).message, problem: toProblem(err, 'req-1'), cause: (err as Error).cause, causeMessage: ((err as Error).cause as Error | undefined)?.message });
      for (const secret of [GATEWAY_TOKEN, ETL_TOKEN, 'Bearer', 'authorization', 'Authorization']) expect(text).not.toContain(secret);
    };

    it('retries a lost answer and gets the job it created, not a second one', async () => {
      // random: fault (0.1 < 0.5), kind index 0 (reset), reset after the work (0.1 < 0.5); later calls see no fault.
      const sequence = [0.1, 0, 0.1];
      await withFaults({ faults: { errorRate: 0.5, kinds: ['reset'], latencyMs: 0 }, random: () => sequence.shift() ?? 0.9 }, async (b, e) => {
        const sub = jobSubmission();
        const ref = await b.submit(sub);
        expect(ref.id).toBe(sub.jobId);
        expect(e.jobs()).toHaveLength(1);
        expect(e.faults.stats.injected.reset).toBe(1);
      });
    });

    it('turns persistent throttling into 503 with Retry-After after bounded retries', async () => {
      await withFaults({ faults: { errorRate: 1, kinds: ['429'], latencyMs: 0 } }, async (b, e) => {
        const err = await b.submit(jobSubmission()).catch((x: unknown) => x);
        expect(err).toBeInstanceOf(BackendFailure);
        expect(err).toMatchObject({ status: 503, backendCode: 'RESOURCE_EXHAUSTED' });
        expect((err as BackendFailure).headers['Retry-After']).toBe('1');
        expect(e.faults.stats.calls).toBe(2);
        expectNoSecrets(err);
      });
    });

    it('turns an unavailable Dataproc into 503', async () => {
      await withFaults({ faults: { errorRate: 1, kinds: ['503'], latencyMs: 0 } }, async (b) => {
        const err = await b.get({ kind: 'job', id: 'job-anything' }).catch((x: unknown) => x);
        expect(err).toMatchObject({ status: 503, backendCode: 'UNAVAILABLE' });
        expectNoSecrets(err);
      });
    });

    it('turns a timeout into 504', async () => {
      await withFaults(
        { faults: { errorRate: 1, kinds: ['timeout'], latencyMs: 0, timeoutMs: 500 } },
        async (b) => {
          const err = await b.get({ kind: 'job', id: 'job-anything' }).catch((x: unknown) => x);
          expect(err).toBeInstanceOf(BackendFailure);
          expect(err).toMatchObject({ status: 504, backendCode: 'DEADLINE_EXCEEDED' });
          expectNoSecrets(err);
        },
        { retries: 0, timeoutMs: 100 },
      );
    });

    it('turns a connection reset into 504', async () => {
      // random 0.6: always a fault (< 1), the reset kind, and before the work (≥ 0.5).
      await withFaults({ faults: { errorRate: 1, kinds: ['reset'], latencyMs: 0 }, random: () => 0.6 }, async (b) => {
        const err = await b.get({ kind: 'job', id: 'job-anything' }).catch((x: unknown) => x);
        expect(err).toMatchObject({ status: 504 });
        expectNoSecrets(err);
      });
    });

    it('turns a rejected token into 502 without leaking it', async () => {
      const b = newBackend({ auth: () => tokenClient('ya29.revoked-secret') });
      const err = await b.submit(jobSubmission()).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(BackendFailure);
      expect(err).toMatchObject({ status: 502, backendCode: 'UNAUTHENTICATED' });
      const text = JSON.stringify({ message: (err as Error).message, problem: toProblem(err, 'r'), cause: (err as Error).cause });
      expect(text).not.toContain('ya29.revoked-secret');
    });

    it('turns an auth factory that throws into 502 CREDENTIALS', async () => {
      const b = newBackend({
        auth: () => {
          throw new Error('ya29.secret-in-message');
        },
      });
      const err = await b.submit(jobSubmission()).catch((x: unknown) => x);
      expect(err).toMatchObject({ status: 502, backendCode: 'CREDENTIALS' });
      expect(JSON.stringify({ m: (err as Error).message, p: toProblem(err, 'r') })).not.toContain('ya29');
    });

    it('answers NOT_FOUND for a job Dataproc does not know', async () => {
      const err = await backend.get({ kind: 'job', id: 'job-never-submitted' }).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(BackendRejected);
      expect(err).toMatchObject({ backendCode: 'NOT_FOUND' });
    });
  });
});

describe('DataprocBackend: the identity that submits, and the identity a batch runs as', () => {
  // Google's IAM as the emulator enforces it: the gateway's own account may read nothing; ETL_SA works on jobs and
  // batches and may act as itself; RUNNER_SA is a second runtime account only ETL_SA may act as.
  const RUNNER_SA = 'spark-runner@acme-data.iam.gserviceaccount.com';
  const DEFAULT_COMPUTE_SA = '123456789012-compute@developer.gserviceaccount.com';
  const clock = new ManualClock();
  let emulator: DataprocEmulator;
  let backend: DataprocBackend;
  const authCalls: string[] = [];

  beforeAll(async () => {
    emulator = await startDataprocEmulator({
      clock,
      stepMs: STEP,
      verifyToken: (bearer) => (TOKENS[bearer] ? { principal: TOKENS[bearer]! } : undefined),
      iam: {
        permissions: {
          [ETL_SA]: ['dataproc.jobs.create', 'dataproc.jobs.get', 'dataproc.jobs.cancel', 'dataproc.batches.create', 'dataproc.batches.get', 'dataproc.operations.cancel'],
          [GATEWAY_SA]: ['dataproc.batches.create', 'dataproc.batches.get'],
        },
        actAs: { [ETL_SA]: [ETL_SA], [RUNNER_SA]: [ETL_SA], [DEFAULT_COMPUTE_SA]: [GATEWAY_SA] },
      },
    });
    backend = new DataprocBackend({
      projectId: PROJECT,
      region: REGION,
      endpoint: emulator.url,
      serviceAccount: GATEWAY_SA,
      auth: (serviceAccount) => {
        authCalls.push(serviceAccount);
        return tokenClient(serviceAccount === ETL_SA ? ETL_TOKEN : GATEWAY_TOKEN);
      },
      retries: 0,
    });
  });
  afterAll(() => emulator.close());

  const etlJobTemplate = template('etl-job', { job: clusterJob, serviceAccount: ETL_SA });
  const runtimeOf = (batchId: string) => emulator.batches().find((b) => b.batchId === batchId)?.runtimeServiceAccount;

  it('records the submitting account in the reference and reads and cancels as it', async () => {
    const sub = submission(etlJobTemplate, { job: clusterJob });
    const accepted = await backend.submit(sub);
    expect(accepted.submittedAs).toBe(ETL_SA);

    authCalls.length = 0;
    await expect(backend.get(accepted)).resolves.toMatchObject({ status: 'QUEUED' });
    await expect(backend.cancel(accepted)).resolves.toMatchObject({ status: 'CANCELLING' });
    expect(authCalls).toEqual([ETL_SA, ETL_SA]);
  });

  it('reads a reference recorded without submittedAs (an older row) as the gateway\'s own account', async () => {
    const sub = submission(etlJobTemplate, { job: clusterJob });
    const { kind, id, consoleUrl } = await backend.submit(sub);
    authCalls.length = 0;

    const err = await backend.get({ kind, id, consoleUrl }).catch((x: unknown) => x);

    expect(authCalls).toEqual([GATEWAY_SA]);
    // Google would refuse that account here, as it would have before submittedAs existed
    expect(err).toMatchObject({ backendCode: 'PERMISSION_DENIED' });
  });

  it('lets the reconciler look a job up as its template\'s account, and records that account', async () => {
    const sub = submission(etlJobTemplate, { job: clusterJob });
    await backend.submit(sub);
    const found = await backend.lookup({ jobId: sub.jobId, template: etlJobTemplate, reservedAt: new Date().toISOString() });
    expect(found).toMatchObject({ outcome: 'found', job: { id: sub.jobId, submittedAs: ETL_SA } });
  });

  it('runs a batch as its template\'s service account, which the request names', async () => {
    const tpl = template('etl-batch', { batch: { pysparkBatch: { mainPythonFileUri: 'gs://a/b.py' } }, serviceAccount: ETL_SA });
    const sub = submission(tpl, tpl.dataproc!);
    const planned = backend.plan({ ...sub, rendered: { batch: tpl.dataproc!.batch } });
    expect(planned.body).toMatchObject({ environmentConfig: { executionConfig: { serviceAccount: ETL_SA } } });

    await backend.submit({ ...sub, rendered: { batch: tpl.dataproc!.batch } });

    expect(runtimeOf(sub.jobId)).toBe(ETL_SA);
  });

  it('keeps a runtime account the batch names itself, which the submitting account must be allowed to act as', async () => {
    const batch = { pysparkBatch: { mainPythonFileUri: 'gs://a/b.py' }, environmentConfig: { executionConfig: { serviceAccount: RUNNER_SA, subnetworkUri: 'default' } } };
    const tpl = template('runner-batch', { batch, serviceAccount: ETL_SA });
    const sub = submission(tpl, { batch });

    await backend.submit(sub);

    expect(runtimeOf(sub.jobId)).toBe(RUNNER_SA);
    expect(emulator.batches().find((b) => b.batchId === sub.jobId)?.principal).toBe(ETL_SA);
    // the gateway's own account may not act as RUNNER_SA: Google refuses the batch
    const asGateway = template('runner-batch-gw', { batch });
    const refused = await backend.submit(submission(asGateway, { batch })).catch((x: unknown) => x);
    expect(refused).toMatchObject({ backendCode: 'PERMISSION_DENIED' });
  });

  it('leaves a batch of a template without a service account to the project\'s default compute account', async () => {
    const tpl = template('plain-batch', { batch: { pysparkBatch: { mainPythonFileUri: 'gs://a/b.py' } } });
    const sub = submission(tpl, { batch: tpl.dataproc!.batch });
    expect(backend.plan(sub).body).not.toHaveProperty('environmentConfig');

    const accepted = await backend.submit(sub);

    expect(accepted.submittedAs).toBe(GATEWAY_SA);
    expect(runtimeOf(sub.jobId)).toBe(DEFAULT_COMPUTE_SA);
  });
});
