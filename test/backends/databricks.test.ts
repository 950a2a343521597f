import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Submission } from '../../lambda/core/backend.js';
import { BackendFailure, BackendRejected, TemplateError } from '../../lambda/core/errors.js';
import type { Template } from '../../contract/template.js';
import { DatabricksBackend, databricksBackendFromConfig, idempotencyTokenFor } from '../../lambda/adapters/databricks/backend.js';
import { DatabricksCredentials } from '../../lambda/adapters/databricks/credentials.js';
import { normalizeRun } from '../../lambda/adapters/databricks/status.js';
import { StaticSecretStore } from '../../lambda/adapters/secrets-manager.js';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { ManualClock } from '../../local/emulators/faults.js';

const STEP = 1000;
const PAT = 'dapi0123456789abcdef0123456789abcdef';
const SECRET_ID = 'data-job-gateway/databricks';
const principal = { issuer: 'https://idp.example.com', subject: 'ana', groups: ['analysts'], kind: 'user' as const, scopes: [] };

const template = (databricks: Template['databricks'], limits: Template['limits'] = {}): Template => ({
  id: 'tpl',
  description: 'test template',
  backend: 'databricks',
  allowedGroups: ['analysts'],
  allowAgents: false,
  datasets: [],
  sensitiveParameters: [],
  personalParameters: [],
  parameters: { type: 'object' },
  limits,
  databricks,
  file: 'templates/tpl.yaml',
});

let seq = 0;
const jobId = () => `job-${String(++seq).padStart(26, 'a').replace(/[^a-z2-7]/g, 'b')}`;
const submitSubmission = (body: Record<string, unknown>, id = jobId(), limits: Template['limits'] = {}): Submission => ({
  jobId: id,
  template: template({ submit: body }, limits),
  rendered: { submit: body },
  principal,
  principalTag: 'a1b2c3d4e5f60718',
});
const runNowSubmission = (block: Record<string, unknown>, id = jobId()): Submission => ({
  jobId: id,
  template: template({ runNow: block }),
  rendered: { runNow: block },
  principal,
  principalTag: 'a1b2c3d4e5f60718',
});
const notebook = (params: Record<string, string> = {}) => ({
  run_name: 'daily sales',
  tasks: [{ task_key: 'main', notebook_task: { notebook_path: '/Repos/etl/daily', base_parameters: params } }],
});

describe('DatabricksBackend against the emulator', () => {
  const clock = new ManualClock();
  let emu: DatabricksEmulator;
  let store: StaticSecretStore;

  beforeAll(async () => {
    emu = await startDatabricksEmulator({
      clock,
      stepMs: STEP,
      initialTokens: [{ value: PAT, tokenId: 'initial-token' }],
      oauthClients: [{ clientId: 'sp-app', clientSecret: 'sp-secret' }],
      jobs: [{ job_id: 42, settings: { name: 'nightly', parameters: [{ name: 'date', default: '2026-01-01' }] } }],
      faultRandom: (() => {
        // Three zeros then "no fault" forever: enough for one deterministic reset-after-work (see the reset test).
        let n = 0;
        return () => (n++ < 3 ? 0 : 0.99);
      })(),
    });
    store = new StaticSecretStore({ [SECRET_ID]: JSON.stringify({ host: emu.url, token: PAT, tokenId: 'initial-token' }) });
  });
  afterAll(() => emu.close());

  function backend(overrides: Partial<ConstructorParameters<typeof DatabricksBackend>[0]> = {}) {
    const waits: number[] = [];
    const credentials = new DatabricksCredentials({ config: { type: 'pat' }, store, secretId: SECRET_ID, secretTtlMs: 3_600_000 });
    const b = new DatabricksBackend({
      host: emu.url,
      credentials,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
      ...overrides,
    });
    return { backend: b, waits };
  }

  describe('plan', () => {
    test('run-now maps our camelCase keys to the API and uses our job id as idempotency_token, with no credentials', () => {
      const { backend: b } = backend();
      const s = runNowSubmission({ jobId: 42, jobParameters: { date: '2026-03-01' }, queue: { enabled: true }, performanceTarget: 'STANDARD' }, 'job-plan');
      const plan = b.plan(s);
      expect(plan).toEqual({
        method: 'POST',
        url: `${emu.url}/api/2.2/jobs/run-now`,
        body: { job_id: 42, job_parameters: { date: '2026-03-01' }, queue: { enabled: true }, performance_target: 'STANDARD', idempotency_token: 'job-plan' },
      });
      expect(JSON.stringify(plan)).not.toContain(PAT);
    });

    test('runs/submit passes the body through, adds the idempotency_token and the template timeout', () => {
      const { backend: b } = backend();
      const plan = b.plan(submitSubmission(notebook(), 'job-sub', { timeoutSeconds: 3600 }));
      expect(plan).toEqual({
        method: 'POST',
        url: `${emu.url}/api/2.2/jobs/runs/submit`,
        body: { ...notebook(), idempotency_token: 'job-sub', timeout_seconds: 3600 },
      });
    });

    test('fails with a TemplateError naming the file when the block is neither run-now nor submit, or jobId is not an integer', () => {
      const { backend: b } = backend();
      const neither: Submission = { jobId: 'job-x', template: template({}), rendered: {}, principal, principalTag: 'a1b2c3d4e5f60718' };
      expect(() => b.plan(neither)).toThrow(TemplateError);
      expect(() => b.plan(runNowSubmission({ jobId: 'forty-two' }))).toThrow(/templates\/tpl.yaml: runNow.jobId must be a positive integer/);
    });

    test('an idempotency token stays within 64 characters and is stable', () => {
      expect(idempotencyTokenFor('job-abc')).toBe('job-abc');
      const long = 'x'.repeat(100);
      expect(idempotencyTokenFor(long)).toHaveLength(64);
      expect(idempotencyTokenFor(long)).toBe(idempotencyTokenFor(long));
    });
  });

  describe('submit, get and cancel', () => {
    test('runs/submit: polls from QUEUED through RUNNING to SUCCEEDED with the run page as console link', async () => {
      const { backend: b } = backend();
      const s = submitSubmission(notebook());
      const ref = await b.submit(s);
      expect(ref).toMatchObject({ kind: 'run', status: 'QUEUED', backendStatus: 'PENDING' });
      expect(ref.consoleUrl).toBe(`${emu.url}/?o=1234567890123456#job/${emu.runs().find((r) => String(r.runId) === ref.id)!.jobId}/run/${ref.id}`);
      const statuses: string[] = [];
      for (let i = 0; i < 4; i++) {
        clock.advance(STEP);
        const st = await b.get(ref);
        statuses.push(`${st.status} ${st.backendStatus}`);
      }
      expect(statuses).toEqual(['RUNNING RUNNING', 'RUNNING TERMINATING', 'SUCCEEDED TERMINATED/SUCCESS', 'SUCCEEDED TERMINATED/SUCCESS']);
      const run = emu.runs().find((r) => String(r.runId) === ref.id)!;
      expect(run.idempotencyToken).toBe(s.jobId);
      expect(run.createdByTokenId).toBe('initial-token');
    });

    test('run-now: the emulator receives snake_case job_id and job_parameters', async () => {
      const { backend: b } = backend();
      const s = runNowSubmission({ jobId: 42, jobParameters: { date: '2026-03-01' } });
      const ref = await b.submit(s);
      const run = emu.runs().find((r) => String(r.runId) === ref.id)!;
      expect(run.request).toEqual({ job_id: 42, job_parameters: { date: '2026-03-01' }, idempotency_token: s.jobId });
      expect(run.view.job_parameters).toEqual([{ name: 'date', default: '2026-01-01', value: '2026-03-01' }]);
    });

    test('a failing run ends FAILED with the backend status and message', async () => {
      const { backend: b } = backend();
      const ref = await b.submit(runNowSubmission({ jobId: 42, jobParameters: { date: 'EMULATOR_FAIL' } }));
      clock.advance(3 * STEP);
      expect(await b.get(ref)).toEqual({
        status: 'FAILED',
        backendStatus: 'TERMINATED/RUN_EXECUTION_ERROR',
        message: 'Workload failed: the request contained EMULATOR_FAIL.',
      });
    });

    test('cancel: CANCELLING while Databricks terminates the run, then CANCELLED', async () => {
      const { backend: b } = backend();
      const ref = await b.submit(submitSubmission(notebook()));
      clock.advance(STEP);
      expect((await b.cancel(ref)).status).toBe('CANCELLING');
      expect(await b.get(ref)).toMatchObject({ status: 'CANCELLING', backendStatus: 'TERMINATING' });
      clock.advance(STEP);
      expect(await b.get(ref)).toMatchObject({ status: 'CANCELLED', backendStatus: 'TERMINATED/USER_CANCELED' });
    });

    test('resubmitting the same job id returns the same run and starts nothing new', async () => {
      const { backend: b } = backend();
      const s = submitSubmission(notebook());
      const before = emu.runs().length;
      const first = await b.submit(s);
      const second = await b.submit(s);
      expect(second.id).toBe(first.id);
      expect(emu.runs()).toHaveLength(before + 1);
    });

    test('a connection reset after the run was created is retried and still yields one run', async () => {
      const { backend: b, waits } = backend();
      const before = emu.runs().length;
      emu.faults.settings = { errorRate: 0.5, kinds: ['reset'], latencyMs: 0 };
      try {
        const ref = await b.submit(submitSubmission(notebook()));
        expect(emu.runs()).toHaveLength(before + 1);
        expect(emu.runs().at(-1)!.runId).toBe(Number(ref.id));
        expect(waits).toHaveLength(1);
      } finally {
        emu.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
      }
    });
  });

  describe('retries', () => {
    test('429 and 503 are retried after exactly the Retry-After the emulator sent', async () => {
      const { backend: b, waits } = backend();
      emu.failNext(429, { retryAfterSeconds: 3 });
      emu.failNext(503, { retryAfterSeconds: 2 });
      const ref = await b.submit(submitSubmission(notebook()));
      expect(ref.status).toBe('QUEUED');
      expect(waits).toEqual([3000, 2000]);
    });

    test('a 500 without Retry-After backs off exponentially with full jitter', async () => {
      const { backend: b, waits } = backend({ baseDelayMs: 100 });
      emu.failNext(500, { count: 3 });
      await b.submit(submitSubmission(notebook()));
      // random() = 0.5 → half of 100, 200, 400
      expect(waits).toEqual([50, 100, 200]);
    });

    test('retries are bounded: the last 503 becomes a BackendFailure 503 with the Databricks code and Retry-After', async () => {
      const { backend: b, waits } = backend({ maxRetries: 2 });
      const before = emu.runs().length;
      emu.failNext(503, { count: 3, retryAfterSeconds: 1 });
      const err = await b.submit(submitSubmission(notebook())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendFailure);
      expect(err).toMatchObject({ status: 503, backendCode: 'TEMPORARILY_UNAVAILABLE', headers: { 'Retry-After': '1' } });
      expect(waits).toEqual([1000, 1000]);
      expect(emu.runs()).toHaveLength(before);
    });

    test('a Retry-After longer than the longest wait is handed back to the caller instead of slept', async () => {
      const { backend: b, waits } = backend({ maxDelayMs: 5000 });
      emu.failNext(429, { retryAfterSeconds: 30 });
      const err = await b.submit(submitSubmission(notebook())).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, backendCode: 'REQUEST_LIMIT_EXCEEDED', headers: { 'Retry-After': '30' } });
      expect(waits).toEqual([]);
    });

    test('the waits of one call stay within the total budget', async () => {
      const { backend: b, waits } = backend({ maxTotalDelayMs: 5000 });
      emu.failNext(429, { count: 2, retryAfterSeconds: 3 });
      const err = await b.submit(submitSubmission(notebook())).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, backendCode: 'REQUEST_LIMIT_EXCEEDED', headers: { 'Retry-After': '3' } });
      expect(waits).toEqual([3000]);
    });

    test('a backend built from the config takes its retry bound from databricks.maxRetries', async () => {
      const waits: number[] = [];
      const b = databricksBackendFromConfig({ host: emu.url, credentials: { type: 'pat' }, maxRetries: 1 }, store, SECRET_ID, {
        sleep: async (ms) => void waits.push(ms),
      });
      emu.failNext(500, { count: 2 });
      await expect(b.get({ kind: 'run', id: String(emu.runs()[0]!.runId) })).rejects.toMatchObject({ status: 502, backendCode: 'INTERNAL_ERROR' });
      expect(waits).toHaveLength(1);
    });

    test('network errors are retried; when they persist the failure is 503 UNAVAILABLE', async () => {
      let calls = 0;
      const flaky: typeof fetch = async (input, init) => {
        if (++calls === 1) throw new TypeError('fetch failed');
        return fetch(input, init);
      };
      const { backend: b, waits } = backend({ fetch: flaky });
      const ref = await b.submit(submitSubmission(notebook()));
      expect(ref.kind).toBe('run');
      expect(waits).toHaveLength(1);

      const down: typeof fetch = async () => {
        throw new TypeError('fetch failed');
      };
      const err = await backend({ fetch: down, maxRetries: 1 }).backend.get(ref).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, backendCode: 'UNAVAILABLE' });
    });
  });

  describe('credentials and errors', () => {
    test('a 401 after rotation re-reads the secret once and the call succeeds with the new token', async () => {
      const { backend: b } = backend();
      const ref = await b.submit(submitSubmission(notebook()));
      // Rotate: a new token in the secret, the old one revoked in the workspace.
      const created = (await (
        await fetch(`${emu.url}/api/2.0/token/create`, { method: 'POST', headers: { authorization: `Bearer ${PAT}` }, body: JSON.stringify({ comment: 'rotated' }) })
      ).json()) as { token_value: string; token_info: { token_id: string } };
      store.set(SECRET_ID, JSON.stringify({ host: emu.url, token: created.token_value, tokenId: created.token_info.token_id }));
      await fetch(`${emu.url}/api/2.0/token/delete`, { method: 'POST', headers: { authorization: `Bearer ${created.token_value}` }, body: JSON.stringify({ token_id: 'initial-token' }) });

      const mark = emu.calls().length;
      expect((await b.get(ref)).status).toBe('QUEUED');
      const calls = emu.calls().slice(mark);
      expect(calls.map((c) => [c.status, c.tokenId])).toEqual([
        [401, undefined],
        [200, created.token_info.token_id],
      ]);
    });

    test('a 401 that survives the re-read is a BackendFailure 502 that carries no token', async () => {
      const revoked = new StaticSecretStore({ [SECRET_ID]: JSON.stringify({ token: 'dapi-revoked-0123456789' }) });
      const credentials = new DatabricksCredentials({ config: { type: 'pat' }, store: revoked, secretId: SECRET_ID });
      const b = new DatabricksBackend({ host: emu.url, credentials, sleep: async () => undefined });
      const mark = emu.calls().length;
      const err = await b.get({ kind: 'run', id: '1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendFailure);
      expect(err).toMatchObject({ status: 502, backendCode: 'UNAUTHENTICATED' });
      expect(JSON.stringify({ message: (err as Error).message, ext: (err as BackendFailure).extensions })).not.toContain('dapi-revoked');
      expect(emu.calls().slice(mark).map((c) => c.status)).toEqual([401, 401]);
    });

    test('a request Databricks rejects becomes BackendRejected with its error_code', async () => {
      const { backend: b } = backend();
      const err = await b.submit(runNowSubmission({ jobId: 999 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendRejected);
      expect(err).toMatchObject({ backendCode: 'INVALID_PARAMETER_VALUE', status: 502 });
      expect((err as Error).message).toContain('Job 999 does not exist.');
    });

    test('an error message that echoes the token is redacted', async () => {
      const echoing: typeof fetch = async (_input, init) => {
        const auth = new Headers(init?.headers).get('authorization') ?? '';
        return new Response(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: `bad header ${auth} and ${PAT}` }), { status: 400 });
      };
      const err = await backend({ fetch: echoing }).backend.get({ kind: 'run', id: '5' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendRejected);
      expect((err as Error).message).not.toContain(PAT);
      expect((err as Error).message).toContain('[REDACTED:');
    });

    test('oauth-m2m: one token exchange serves many calls and the runs are made by the service principal', async () => {
      const oauthStore = new StaticSecretStore({ m2m: JSON.stringify({ host: emu.url, clientId: 'sp-app', clientSecret: 'sp-secret' }) });
      const credentials = new DatabricksCredentials({ config: { type: 'oauth-m2m' }, store: oauthStore, secretId: 'm2m', now: () => clock.now() });
      const b = new DatabricksBackend({ host: emu.url, credentials });
      const mark = emu.calls().length;
      const ref = await b.submit(submitSubmission(notebook()));
      await b.get(ref);
      const calls = emu.calls().slice(mark);
      expect(calls.filter((c) => c.path === '/oidc/v1/token')).toHaveLength(1);
      expect(calls.filter((c) => c.path.startsWith('/api/')).every((c) => c.tokenKind === 'oauth' && c.status === 200)).toBe(true);
      expect(emu.runs().find((r) => String(r.runId) === ref.id)!.view.creator_user_name).toBe('sp-app');
    });

    test('an unusable reference is refused before any call', async () => {
      const { backend: b } = backend();
      await expect(b.get({ kind: 'job', id: 'projects/x/jobs/y' })).rejects.toMatchObject({ backendCode: 'INVALID_REFERENCE' });
    });
  });
});

describe('normalizeRun', () => {
  test.each([
    [{ status: { state: 'QUEUED' } }, 'QUEUED', 'QUEUED'],
    [{ status: { state: 'BLOCKED' } }, 'QUEUED', 'BLOCKED'],
    [{ state: { life_cycle_state: 'PENDING' } }, 'QUEUED', 'PENDING'],
    [{ state: { life_cycle_state: 'RUNNING' } }, 'RUNNING', 'RUNNING'],
    [{ state: { life_cycle_state: 'TERMINATING' } }, 'RUNNING', 'TERMINATING'],
    [{ state: { life_cycle_state: 'TERMINATING', user_cancelled_or_timedout: true } }, 'CANCELLING', 'TERMINATING'],
    [{ state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' } }, 'SUCCEEDED', 'TERMINATED/SUCCESS'],
    [{ state: { life_cycle_state: 'TERMINATED', result_state: 'FAILED' } }, 'FAILED', 'TERMINATED/FAILED'],
    [{ state: { life_cycle_state: 'TERMINATED', result_state: 'TIMEDOUT' } }, 'FAILED', 'TERMINATED/TIMEDOUT'],
    [{ state: { life_cycle_state: 'TERMINATED', result_state: 'CANCELED' } }, 'CANCELLED', 'TERMINATED/CANCELED'],
    [{ state: { life_cycle_state: 'INTERNAL_ERROR', result_state: 'FAILED' } }, 'FAILED', 'INTERNAL_ERROR/FAILED'],
    [{ state: { life_cycle_state: 'SKIPPED' } }, 'FAILED', 'SKIPPED'],
  ])('%j → %s (%s)', (run, status, backendStatus) => {
    expect(normalizeRun(run)).toMatchObject({ status, backendStatus });
  });

  test('status wins over state when both are present', () => {
    const run = {
      state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' },
      status: { state: 'TERMINATED', termination_details: { code: 'USER_CANCELED', type: 'SUCCESS', message: 'stopped by ana' } },
    };
    expect(normalizeRun(run)).toEqual({ status: 'CANCELLED', backendStatus: 'TERMINATED/USER_CANCELED', message: 'stopped by ana' });
  });

  test('TERMINATING counts as CANCELLING only when a cancel was requested', () => {
    const run = { status: { state: 'TERMINATING' } };
    expect(normalizeRun(run).status).toBe('RUNNING');
    expect(normalizeRun(run, true).status).toBe('CANCELLING');
  });
});
