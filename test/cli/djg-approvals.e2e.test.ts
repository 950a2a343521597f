// djg approvals, approve, reject and submit --wait on a template that needs approval: bin/djg.mjs in child processes
// against local mode, with tokens from the local identity provider (DJG_TOKEN).
import { jest } from '@jest/globals';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';
import { DjgProcess, djgEnv, newHome, runDjg } from './djg-process.js';

jest.setTimeout(120_000);

const backfill = parseTemplate(
  `id: yearly-backfill
description: rewrites a year of data
backend: dataproc
allowedGroups: [analysts]
approval: {approvers: [data-platform-leads], required: 1, expiresAfterMinutes: 240}
parameters: {type: object, additionalProperties: false, required: [year], properties: {year: {type: integer, minimum: 2000}}}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/backfill.py, args: ["--year", "{{year}}"]}}}
`,
  'yearly-backfill.yaml',
);

let gw: TestGateway;
let analyst: Record<string, string>;
let lead: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ templates: [backfill] });
  const env = async (sub: string, groups: string[]) =>
    djgEnv(newHome(), { DJG_URL: gw.local.url, DJG_TOKEN: await gw.token(sub, groups, { scopes: ['jobs:read', 'jobs:submit', 'jobs:cancel', 'jobs:approve'] }) });
  analyst = await env('ana', ['analysts']);
  lead = await env('lee', ['data-platform-leads']);
});
afterAll(() => gw?.stop());

it('submit --wait says whom it waits for; djg approvals lists it for a lead; djg approve sends it and the wait ends SUCCEEDED', async () => {
  const waiting = new DjgProcess(['submit', 'yearly-backfill', '-p', 'year=2024', '--wait', '--interval', '100ms'], analyst);
  await waiting.waitFor(/waiting for approval by data-platform-leads \(0\/1\)/);
  const listed = await runDjg(['approvals', '-o', 'json'], lead);
  expect(listed.code).toBe(0);
  const [job] = JSON.parse(listed.stdout).jobs;
  expect(job).toMatchObject({ template: 'yearly-backfill', status: 'AWAITING_APPROVAL', principal: { subject: 'ana' } });
  expect((await runDjg(['approvals'], lead)).stdout).toMatch(new RegExp(`${job.id} +yearly-backfill +ana +0/1`));
  // the submitter is no approver of their own job
  const self = await runDjg(['approve', job.id], analyst);
  expect(self.code).toBe(3);
  const approved = await runDjg(['approve', job.id, '--comment', 'checked the partition'], lead);
  expect(approved.code).toBe(0);
  expect(approved.stderr).toContain(`approved ${job.id}: sent`);
  expect(approved.stdout).toMatch(/decisions: +approve by lee: checked the partition/);
  const done = await waiting.exited;
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/status: +SUCCEEDED/);
});

it('djg reject needs --comment, ends the job REJECTED, and a wait on it exits 1', async () => {
  const submitted = await runDjg(['submit', 'yearly-backfill', '-p', 'year=2023', '-o', 'json'], analyst);
  expect(submitted.stderr).toContain('waiting for approval by data-platform-leads (1 required');
  const { id } = JSON.parse(submitted.stdout);
  const bare = await runDjg(['reject', id], lead);
  expect(bare.code).toBe(2);
  const rejected = await runDjg(['reject', id, '--comment', 'wrong year'], lead);
  expect(rejected.code).toBe(0);
  expect(rejected.stdout).toMatch(/status: +REJECTED/);
  expect((await runDjg(['wait', id], analyst)).code).toBe(1);
  expect((await runDjg(['approvals'], lead)).stdout).toContain('nothing awaits your decision');
});
