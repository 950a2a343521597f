// Reading a job's driver output through the backends, against the emulators: Dataproc's numbered Cloud Storage objects
// read with the submitting identity, and Databricks' per-task runs/get-output.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OAuth2Client } from 'google-auth-library';
import { DatabricksBackend } from '../../lambda/adapters/databricks/backend.js';
import { DatabricksCredentials } from '../../lambda/adapters/databricks/credentials.js';
import { DataprocBackend } from '../../lambda/adapters/dataproc/backend.js';
import { StaticSecretStore } from '../../lambda/adapters/secrets-manager.js';
import type { BackendRef, JobBackend, OutputChunk, Submission } from '../../lambda/core/backend.js';
import { BackendFailure } from '../../lambda/core/errors.js';
import type { Principal } from '../../lambda/core/principal.js';
import type { Template } from '../../contract/template.js';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { startDataprocEmulator, type DataprocEmulator } from '../../local/emulators/dataproc.js';
import { ManualClock } from '../../local/emulators/faults.js';

const STEP = 1000;
const GATEWAY_TOKEN = 'ya29.gateway-output-token';
const ETL_TOKEN = 'ya29.etl-output-token';
const GATEWAY_SA = 'gateway@acme-data.iam.gserviceaccount.com';
const ETL_SA = 'etl-runner@acme-data.iam.gserviceaccount.com';
const principal: Principal = { issuer: 'https://idp.example.com', subject: 'alice', groups: ['analysts'], kind: 'user', scopes: [] };

const template = (backend: Template['backend'], block: Pick<Template, 'dataproc' | 'databricks'>): Template => ({
  id: 'output-test',
  description: 'test template',
  backend,
  allowedGroups: ['analysts'],
  allowAgents: false,
  datasets: [],
  sensitiveParameters: [],
  personalParameters: [],
  parameters: { type: 'object' },
  limits: {},
  ...block,
  file: 'templates/output-test.yaml',
});

let seq = 0;
const newJobId = () => `job-${String(++seq).padStart(4, '0')}${'o'.repeat(22)}`;

/** Reads from `offset` in chunks of `limit` until the backend says there is no more for now. */
async function readAll(backend: JobBackend, ref: BackendRef, options: { offset?: number; limit?: number } = {}) {
  const chunks: OutputChunk[] = [];
  let offset = options.offset ?? 0;
  for (let i = 0; i < 500; i++) {
    const chunk = await backend.readOutput!(ref, { offset, limit: options.limit ?? 64 * 1024 });
    chunks.push(chunk);
    expect(chunk.nextOffset).toBeGreaterThanOrEqual(offset);
    offset = chunk.nextOffset;
    if (chunk.atEnd) return { text: chunks.map((c) => c.text).join(''), chunks, offset };
  }
  throw new Error('output never reached its end');
}

describe('Dataproc driver output through the Cloud Storage JSON API', () => {
  const clock = new ManualClock();
  let emulator: DataprocEmulator;
  let backend: DataprocBackend;

  beforeAll(async () => {
    emulator = await startDataprocEmulator({
      clock,
      stepMs: STEP,
      verifyToken: (bearer) => ({ [GATEWAY_TOKEN]: { principal: GATEWAY_SA }, [ETL_TOKEN]: { principal: ETL_SA } })[bearer],
    });
    const client = (token: string) => {
      const c = new OAuth2Client();
      c.setCredentials({ access_token: token });
      return c;
    };
    backend = new DataprocBackend({
      projectId: 'acme-data',
      region: 'europe-west1',
      endpoint: emulator.url,
      storageEndpoint: emulator.url,
      serviceAccount: GATEWAY_SA,
      auth: (sa) => client(sa === ETL_SA ? ETL_TOKEN : GATEWAY_TOKEN),
      retries: 1,
      retryBaseMs: 5,
    });
  });
  afterAll(() => emulator.close());

  const submitJob = (args: string[]) => {
    const job = { placement: { clusterName: 'etl-cluster' }, pysparkJob: { mainPythonFileUri: 'gs://acme-jobs/daily_sales.py', args } };
    const submission: Submission = { jobId: newJobId(), template: template('dataproc', { dataproc: { job } }), rendered: { job }, principal, principalTag: 'tag' };
    return backend.submit(submission);
  };

  it('has nothing to read before the driver starts, and no error', async () => {
    const ref = await submitJob(['--date', '2026-01-01']);
    expect(await backend.readOutput(ref, { offset: 0, limit: 1024 })).toEqual({ text: '', nextOffset: 0, atEnd: true });
  });

  it('reads the output while the driver writes it, then the rest from where it stopped, across numbered objects', async () => {
    // GIVEN a job half way through its RUNNING step
    const ref = await submitJob(['--date', '2026-11-21', '--shards', '8']);
    clock.advance(2 * STEP + STEP / 2);
    // WHEN its output is read now, and again once the job is done
    const early = await readAll(backend, ref);
    clock.advance(STEP);
    expect((await backend.get(ref)).status).toBe('SUCCEEDED');
    const rest = await readAll(backend, ref, { offset: early.offset });
    // THEN the two reads join into exactly what Dataproc stored, object after object
    const stored = emulator
      .objects()
      .filter((o) => o.name.includes(`/jobs/${ref.id}/driveroutput.`))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(stored.map((o) => o.name.slice(-10))).toEqual(['.000000000', '.000000001', '.000000002']);
    const whole = Buffer.concat(stored.map((o) => o.content)).toString('utf8');
    expect(early.text.length).toBeGreaterThan(0);
    expect(early.text.length).toBeLessThan(whole.length);
    expect(early.text + rest.text).toBe(whole);
    expect(whole).toContain('INFO DataprocDriver: arguments: --date 2026-11-21 --shards 8\n');
    expect(whole).toMatch(/^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} INFO SparkEnv: /);
    expect(rest.offset).toBe(Buffer.byteLength(whole));
  });

  it('keeps each chunk within the limit and cuts only between characters', async () => {
    const ref = await submitJob(['--date', '2026-11-22']);
    clock.advance(4 * STEP);
    const { text, chunks } = await readAll(backend, ref, { limit: 7 });
    expect(chunks.every((c) => Buffer.byteLength(c.text) <= 7)).toBe(true);
    // the three-byte arrow arrives whole, never as replacement characters
    expect(text).toContain('wrote 1,234 rows → output table');
    expect(text).not.toContain('\uFFFD');
  });

  it('reads a failed job\'s traceback', async () => {
    const ref = await submitJob(['EMULATOR_FAIL']);
    clock.advance(4 * STEP);
    expect((await backend.get(ref)).status).toBe('FAILED');
    expect((await readAll(backend, ref)).text).toMatch(/ERROR DataprocDriver: .*EMULATOR_FAIL\nTraceback \(most recent call last\):\n.*\nRuntimeError: EMULATOR_FAIL\n$/);
  });

  it('reads a Serverless batch\'s output under runtimeInfo.outputUri with the service account that submitted it', async () => {
    // GIVEN a batch submitted as the template's service account
    const batch = { pysparkBatch: { mainPythonFileUri: 'gs://acme-jobs/churn.py', args: ['--from=2026-01-01'] } };
    const submission: Submission = { jobId: newJobId(), template: template('dataproc', { dataproc: { batch, serviceAccount: ETL_SA } }), rendered: { batch }, principal, principalTag: 'tag' };
    const ref = await backend.submit(submission);
    clock.advance(3 * STEP);
    const before = emulator.requests().length;
    expect(ref.submittedAs).toBe(ETL_SA);
    // WHEN read, THEN it is read as that identity: the output is there, and every storage call was made as that account
    const { text } = await readAll(backend, ref);
    expect(text).toContain('Submitted application: churn.py');
    const storageCalls = emulator.requests().slice(before).filter((r) => r.url.includes('/storage/v1/'));
    expect(storageCalls.length).toBeGreaterThan(0);
    expect(new Set(storageCalls.map((r) => r.principal))).toEqual(new Set([ETL_SA]));
    // AND the gateway's own identity (a row written before the submitting identity was recorded) may not read that staging bucket
    const { submittedAs: _, ...withoutIdentity } = ref;
    await expect(backend.readOutput(withoutIdentity, { offset: 0, limit: 1024 })).rejects.toThrow(BackendFailure);
  });
});

describe('Databricks run output through runs/get-output', () => {
  const clock = new ManualClock();
  let emulator: DatabricksEmulator;
  let backend: DatabricksBackend;
  const PAT = 'dapi0123456789abcdef0123456789output';

  beforeAll(async () => {
    emulator = await startDatabricksEmulator({ clock, stepMs: STEP, initialTokens: [{ value: PAT, tokenId: 'output-token' }] });
    const store = new StaticSecretStore({ 'dbx/output': JSON.stringify({ host: emulator.url, token: PAT }) });
    backend = new DatabricksBackend({ host: emulator.url, credentials: new DatabricksCredentials({ config: { type: 'pat', secretName: 'dbx/output' }, store, secretId: 'dbx/output', host: emulator.url }), baseDelayMs: 1 });
  });
  afterAll(() => emulator.close());

  const submitRun = (tasks: Record<string, unknown>[]) => {
    const body = { run_name: 'features', tasks };
    return backend.submit({ jobId: newJobId(), template: template('databricks', { databricks: { submit: body } }), rendered: { submit: body }, principal, principalTag: 'tag' });
  };
  const twoTasks = (extra = {}) => [
    { task_key: 'compute', spark_python_task: { python_file: '/Workspace/features/compute.py', ...extra } },
    { task_key: 'publish', depends_on: [{ task_key: 'compute' }], notebook_task: { notebook_path: '/Jobs/features/publish' } },
  ];

  it('shows nothing while the tasks run, then each task\'s logs and notebook exit value in task order', async () => {
    const ref = await submitRun(twoTasks());
    clock.advance(STEP + STEP / 2);
    expect(await backend.readOutput(ref, { offset: 0, limit: 1024 })).toEqual({ text: '', nextOffset: 0, atEnd: true });
    clock.advance(3 * STEP);
    const { text } = await readAll(backend, ref);
    const [computeRun, publishRun] = (emulator.runs().find((r) => String(r.runId) === ref.id)!.view.tasks as { run_id: number }[]).map((t) => t.run_id);
    expect(text.split('\n').filter((l) => l.startsWith('==>'))).toEqual([
      `==> task compute (run ${computeRun}): TERMINATED/SUCCESS <==`,
      `==> task publish (run ${publishRun}): TERMINATED/SUCCESS <==`,
    ]);
    expect(text).toMatch(/INFO starting compute \(spark_python_task\)\n[\s\S]*INFO wrote 48,210 rows → feature table\n==> task publish/);
    expect(text).toContain('notebook exit value: {"status":"ok","rows_written":1234}\n');
  });

  it('shows a failed task\'s error and trace', async () => {
    const ref = await submitRun(twoTasks({ parameters: ['EMULATOR_FAIL'] }));
    clock.advance(5 * STEP);
    expect((await backend.get(ref)).status).toBe('FAILED');
    const { text } = await readAll(backend, ref);
    expect(text).toContain('error: RuntimeError: EMULATOR_FAIL\n');
    expect(text).toContain('----> 3 raise RuntimeError("EMULATOR_FAIL")');
  });

  it('reads a long output in bounded chunks from any offset', async () => {
    const ref = await submitRun(twoTasks());
    clock.advance(5 * STEP);
    const whole = (await readAll(backend, ref)).text;
    const { text, chunks } = await readAll(backend, ref, { limit: 5 });
    expect(text).toBe(whole);
    expect(chunks.length).toBeGreaterThan(whole.length / 5 - 1);
    expect((await readAll(backend, ref, { offset: 20 })).text).toBe(Buffer.from(whole).subarray(20).toString('utf8'));
  });
});
