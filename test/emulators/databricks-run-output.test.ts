// runs/get-output in the Databricks emulator: per task run, logs growing while a script task runs, the notebook exit
// value once a notebook task succeeds, and the multi-task refusal Databricks answers for a run's own id.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { ManualClock } from '../../local/emulators/faults.js';

const STEP = 1000;
const PAT = 'dapi-run-output-0000000000000000000';

describe('Databricks emulator runs/get-output', () => {
  const clock = new ManualClock();
  let emu: DatabricksEmulator;
  let runId: number;
  let scriptRun: number;
  let notebookRun: number;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { authorization: `Bearer ${PAT}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const output = (id: number) => call('GET', `/api/2.2/jobs/runs/get-output?run_id=${id}`);

  beforeAll(async () => {
    emu = await startDatabricksEmulator({ clock, stepMs: STEP, initialTokens: [{ value: PAT, tokenId: 't' }] });
    const submitted = await call('POST', '/api/2.2/jobs/runs/submit', {
      run_name: 'output',
      tasks: [
        { task_key: 'script', spark_python_task: { python_file: '/Workspace/x.py' } },
        { task_key: 'report', notebook_task: { notebook_path: '/Repos/r' } },
      ],
    });
    runId = submitted.body.run_id;
    const run = await call('GET', `/api/2.2/jobs/runs/get?run_id=${runId}`);
    [scriptRun, notebookRun] = run.body.tasks.map((t: { run_id: number }) => t.run_id);
  });
  afterAll(() => emu.close());

  it('refuses the multi-task run\'s own id, as Databricks does', async () => {
    expect(await output(runId)).toEqual({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.' },
    });
    expect((await output(1)).body.message).toBe('Run 1 does not exist.');
  });

  it('grows a script task\'s logs while it runs, with the task run as metadata', async () => {
    expect((await output(scriptRun)).body).toEqual({ metadata: expect.objectContaining({ run_id: scriptRun, task_key: 'script', job_id: expect.any(Number) }) });
    clock.advance(STEP + STEP / 3);
    const early = (await output(scriptRun)).body;
    clock.advance(STEP / 2);
    const later = (await output(scriptRun)).body;
    expect(early.logs_truncated).toBe(false);
    expect(later.logs.startsWith(early.logs)).toBe(true);
    expect(later.logs.length).toBeGreaterThan(early.logs.length);
    expect(early.logs).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} INFO starting script \(spark_python_task\)\n/);
  });

  it('gives a notebook task no logs, and its exit value once it has succeeded', async () => {
    expect((await output(notebookRun)).body.notebook_output).toBeUndefined();
    clock.advance(2 * STEP);
    const done = (await output(notebookRun)).body;
    expect(done.logs).toBeUndefined();
    expect(done.notebook_output).toEqual({ result: '{"status":"ok","rows_written":1234}', truncated: false });
    expect(done.metadata.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' });
  });
});
