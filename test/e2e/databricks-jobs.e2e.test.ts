// Local mode runs a user's own run-now templates: every job a run-now template names is known to the Databricks
// emulator, either listed under local.databricks.jobs or defined at start with the parameters the template passes.
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { describeEmulatorJobs } from '../../local/databricks-jobs.js';
import { startTestGateway, TERMINAL, type TestGateway } from './local-mode.js';

const runNow = (id: string, jobId: number, jobParameters: string) =>
  parseTemplate(
    `
id: ${id}
description: run-now of job ${jobId}
backend: databricks
allowedGroups: [data-eng]
parameters:
  type: object
  additionalProperties: false
  required: [day]
  properties:
    day: {type: string, pattern: "^\\\\d{4}-\\\\d{2}-\\\\d{2}$"}
databricks:
  runNow:
    jobId: ${jobId}
    jobParameters: ${jobParameters}
`,
    `templates/${id}.yaml`,
  );

describe('Databricks emulator jobs in local mode', () => {
  let gw: TestGateway;
  afterEach(() => gw?.stop());

  it('defines the job of a run-now template that names a job other than 1042, with the parameters it passes, and runs it', async () => {
    // GIVEN a user's template for job 7731, which no config lists
    gw = await startTestGateway({ templates: [runNow('nightly-orders', 7731, '{day: "{{day}}", mode: incremental}')] });

    // THEN local mode says at start that it defined that job
    expect(describeEmulatorJobs(gw.local.databricksJobs)).toContain('job 7731 nightly-orders (parameters: day, mode), defined for run-now template nightly-orders');

    // WHEN it is submitted
    const token = await gw.token('erin', ['data-eng']);
    const res = await gw.call('POST', '/jobs', { token, body: { template: 'nightly-orders', parameters: { day: '2026-11-21' } } });

    // THEN the run exists for that job, with the parameters passed, and completes
    expect(res.status).toBe(202);
    const done = await gw.waitFor(res.body.id, token, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    const run = gw.local.databricks!.runs().find((r) => r.jobId === 7731)!;
    expect(run.view.job_parameters).toEqual([
      { name: 'day', default: '', value: '2026-11-21' },
      { name: 'mode', default: '', value: 'incremental' },
    ]);
  });

  it('uses a job the config lists, with its name and parameter defaults, and defines only what the config lacks', async () => {
    gw = await startTestGateway({
      adjust: (c) => (c.local.databricks.jobs = [{ jobId: 55, name: 'weekly-rollup', parameters: { day: '2026-01-01', scope: 'all' } }]),
      templates: [runNow('weekly', 55, '{day: "{{day}}"}'), runNow('daily', 56, '{day: "{{day}}"}')],
    });
    expect(describeEmulatorJobs(gw.local.databricksJobs)).toEqual([
      'job 55 weekly-rollup (parameters: day, scope), from local.databricks.jobs',
      'job 56 daily (parameters: day), defined for run-now template daily',
    ]);

    const token = await gw.token('erin', ['data-eng']);
    const res = await gw.call('POST', '/jobs', { token, body: { template: 'weekly', parameters: { day: '2026-11-21' } } });
    expect(res.status).toBe(202);
    const run = gw.local.databricks!.runs().find((r) => r.jobId === 55)!;
    expect(run.view).toMatchObject({ run_name: 'weekly-rollup' });
    expect(run.view.job_parameters).toEqual([
      { name: 'day', default: '2026-01-01', value: '2026-11-21' },
      { name: 'scope', default: 'all', value: 'all' },
    ]);
  });
});
