import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { ManualClock } from '../../local/emulators/faults.js';

const PAT = 'dapi-emulator-test-initial-token';
const STEP = 1000;
const notebookTask = (key = 'main', extra: Record<string, unknown> = {}) => ({ task_key: key, notebook_task: { notebook_path: '/Repos/etl/daily', ...extra } });

describe('Databricks emulator', () => {
  const clock = new ManualClock();
  let emu: DatabricksEmulator;

  beforeAll(async () => {
    emu = await startDatabricksEmulator({
      clock,
      stepMs: STEP,
      initialTokens: [{ value: PAT, comment: 'bootstrap' }],
      oauthClients: [{ clientId: 'sp-app-id', clientSecret: 'sp-secret' }],
      oauthTokenLifetimeSeconds: 600,
      jobs: [{ job_id: 42, settings: { name: 'nightly-sales', parameters: [{ name: 'date', default: '2026-01-01' }, { name: 'mode', default: 'full' }] } }],
    });
  });
  afterAll(() => emu.close());

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = PAT, version = '2.2') {
    const url = path.startsWith('/oidc') || path.startsWith('/api/2.0') ? `${emu.url}${path}` : `${emu.url}/api/${version}${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
  }
  const getRun = async (runId: number) => (await call('GET', `/jobs/runs/get?run_id=${runId}`)).body;

  describe('runs/submit and the run lifecycle', () => {
    test('a submitted run moves PENDING → RUNNING → TERMINATING → TERMINATED/SUCCESS, one step each, in state and status', async () => {
      const submitted = await call('POST', '/jobs/runs/submit', { run_name: 'daily', tasks: [notebookTask()] });
      expect(submitted.status).toBe(200);
      const runId = submitted.body.run_id as number;
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const run = await getRun(runId);
        seen.push(`${run.state.life_cycle_state}/${run.status.state}`);
        clock.advance(STEP);
      }
      const done = await getRun(runId);
      expect(seen).toEqual(['PENDING/PENDING', 'RUNNING/RUNNING', 'TERMINATING/TERMINATING', 'TERMINATED/TERMINATED']);
      expect(done.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' });
      expect(done.status).toEqual({ state: 'TERMINATED', termination_details: { code: 'SUCCESS', type: 'SUCCESS', message: '' } });
      expect(done).toMatchObject({ run_id: runId, run_type: 'SUBMIT_RUN', run_name: 'daily', run_duration: 3 * STEP, execution_duration: STEP });
      expect(done.run_page_url).toBe(`${emu.url}/?o=1234567890123456#job/${done.job_id}/run/${runId}`);
      expect(done.tasks).toHaveLength(1);
      expect(done.tasks[0]).toMatchObject({ task_key: 'main', notebook_task: { notebook_path: '/Repos/etl/daily' }, state: { result_state: 'SUCCESS' } });
    });

    test('a run with queueing enabled spends its first step QUEUED with queue details', async () => {
      const { body } = await call('POST', '/jobs/runs/submit', { tasks: [notebookTask()], queue: { enabled: true } });
      const run = await getRun(body.run_id);
      expect(run.state.life_cycle_state).toBe('QUEUED');
      expect(run.status).toMatchObject({ state: 'QUEUED', queue_details: { code: 'MAX_CONCURRENT_RUNS_REACHED' } });
      clock.advance(STEP);
      expect((await getRun(body.run_id)).status.state).toBe('PENDING');
    });

    test('a request containing EMULATOR_FAIL ends TERMINATED/FAILED with RUN_EXECUTION_ERROR on the failing task', async () => {
      const { body } = await call('POST', '/jobs/runs/submit', {
        tasks: [notebookTask('ok'), notebookTask('bad', { base_parameters: { date: 'EMULATOR_FAIL' } })],
      });
      clock.advance(3 * STEP);
      const run = await getRun(body.run_id);
      expect(run.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'FAILED' });
      expect(run.status.termination_details).toMatchObject({ code: 'RUN_EXECUTION_ERROR', type: 'CLIENT_ERROR' });
      const byKey = Object.fromEntries(run.tasks.map((t: any) => [t.task_key, t.state.result_state]));
      expect(byKey).toEqual({ ok: 'SUCCESS', bad: 'FAILED' });
    });

    test('the same idempotency_token returns the same run_id and creates one run', async () => {
      const body = { run_name: 'once', tasks: [notebookTask()], idempotency_token: 'job-abcdefghijklmnopqrstuvwxyz' };
      const before = emu.runs().length;
      const first = await call('POST', '/jobs/runs/submit', body);
      const second = await call('POST', '/jobs/runs/submit', body);
      expect(second.body.run_id).toBe(first.body.run_id);
      expect(emu.runs()).toHaveLength(before + 1);
      expect(emu.runs().find((r) => r.runId === first.body.run_id)?.idempotencyToken).toBe(body.idempotency_token);
    });

    test.each([
      ['tasks missing', 'INVALID_PARAMETER_VALUE', /Missing required field: tasks/, {}],
      ['empty tasks', 'INVALID_PARAMETER_VALUE', /At least one task/, { tasks: [] }],
      ['a task with two task types', 'INVALID_PARAMETER_VALUE', /exactly one task type/, { tasks: [{ task_key: 'x', notebook_task: { notebook_path: '/a' }, spark_python_task: { python_file: 'a.py' } }] }],
      ['a bad task_key', 'INVALID_PARAMETER_VALUE', /Invalid task_key/, { tasks: [{ task_key: 'has space', notebook_task: { notebook_path: '/a' } }] }],
      ['a dependency on an unknown task', 'INVALID_PARAMETER_VALUE', /unknown task 'zzz'/, { tasks: [{ ...notebookTask('a'), depends_on: [{ task_key: 'zzz' }] }] }],
      ['run_name of the wrong type', 'INVALID_PARAMETER_VALUE', /run_name/, { run_name: 7, tasks: [notebookTask()] }],
      ['an idempotency_token over 64 characters', 'INVALID_PARAMETER_VALUE', /at most 64/, { tasks: [notebookTask()], idempotency_token: 'x'.repeat(65) }],
    ])('runs/submit with %s answers 400 %s', async (_what, code, message, body) => {
      const res = await call('POST', '/jobs/runs/submit', body);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe(code);
      expect(res.body.message).toMatch(message);
    });

    test('a body that is not JSON answers 400 MALFORMED_REQUEST and an unknown endpoint 404 ENDPOINT_NOT_FOUND', async () => {
      const bad = await call('POST', '/jobs/runs/submit', '{not json');
      expect(bad).toMatchObject({ status: 400, body: { error_code: 'MALFORMED_REQUEST' } });
      const missing = await call('GET', '/jobs/runs/nope');
      expect(missing).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
    });

    test('the /api/2.1 paths are aliases of /api/2.2', async () => {
      const { body } = await call('POST', '/jobs/runs/submit', { tasks: [notebookTask()] }, PAT, '2.1');
      const got = await call('GET', `/jobs/runs/get?run_id=${body.run_id}`, undefined, PAT, '2.1');
      expect(got.body.run_id).toBe(body.run_id);
    });
  });

  describe('run-now', () => {
    test('runs an existing job with job_parameters resolved against the job defaults', async () => {
      const res = await call('POST', '/jobs/run-now', { job_id: 42, job_parameters: { date: '2026-03-01' }, idempotency_token: 'rn-1' });
      expect(res.status).toBe(200);
      expect(res.body.number_in_job).toBe(res.body.run_id);
      const run = await getRun(res.body.run_id);
      expect(run).toMatchObject({ job_id: 42, run_type: 'JOB_RUN', run_name: 'nightly-sales' });
      expect(run.job_parameters).toEqual([
        { name: 'date', default: '2026-01-01', value: '2026-03-01' },
        { name: 'mode', default: 'full', value: 'full' },
      ]);
      const again = await call('POST', '/jobs/run-now', { job_id: 42, job_parameters: { date: '2026-03-01' }, idempotency_token: 'rn-1' });
      expect(again.body.run_id).toBe(res.body.run_id);
    });

    test('a job_parameters value containing EMULATOR_FAIL makes the run fail', async () => {
      const { body } = await call('POST', '/jobs/run-now', { job_id: '42', job_parameters: { date: 'EMULATOR_FAIL' } });
      clock.advance(3 * STEP);
      expect((await getRun(body.run_id)).state.result_state).toBe('FAILED');
    });

    test('an unknown or missing job_id answers 400 INVALID_PARAMETER_VALUE "Job N does not exist."', async () => {
      expect((await call('POST', '/jobs/run-now', { job_id: 999 })).body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Job 999 does not exist.' });
      expect((await call('POST', '/jobs/run-now', {})).body.message).toBe('Job 0 does not exist.');
    });

    test('bad types answer 400 INVALID_PARAMETER_VALUE', async () => {
      for (const body of [{ job_id: 'forty-two' }, { job_id: 42, job_parameters: { date: 20260301 } }, { job_id: 42, job_parameters: ['x'] }, { job_id: 42, queue: { enabled: 'yes' } }]) {
        const res = await call('POST', '/jobs/run-now', body);
        expect([res.status, res.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
    });

    test('jobs registered after start can be run', async () => {
      const job = emu.jobs.add({ settings: { name: 'added', tasks: [notebookTask('only')] } });
      const { body } = await call('POST', '/jobs/run-now', { job_id: job.job_id });
      expect((await getRun(body.run_id)).tasks.map((t: any) => t.task_key)).toEqual(['only']);
    });
  });

  describe('runs/cancel and runs/list', () => {
    test('cancelling a running run goes TERMINATING (USER_CANCELED) then TERMINATED/CANCELED', async () => {
      const { body } = await call('POST', '/jobs/runs/submit', { tasks: [notebookTask()] });
      clock.advance(STEP);
      expect((await getRun(body.run_id)).state.life_cycle_state).toBe('RUNNING');
      expect(await call('POST', '/jobs/runs/cancel', { run_id: body.run_id })).toMatchObject({ status: 200, body: {} });
      const cancelling = await getRun(body.run_id);
      expect(cancelling.state).toMatchObject({ life_cycle_state: 'TERMINATING', user_cancelled_or_timedout: true });
      expect(cancelling.status).toMatchObject({ state: 'TERMINATING', termination_details: { code: 'USER_CANCELED' } });
      clock.advance(STEP);
      const cancelled = await getRun(body.run_id);
      expect(cancelled.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'CANCELED' });
      expect(cancelled.status.termination_details.code).toBe('USER_CANCELED');
    });

    test('cancelling a finished run changes nothing; an unknown run answers 400', async () => {
      const { body } = await call('POST', '/jobs/runs/submit', { tasks: [notebookTask()] });
      clock.advance(4 * STEP);
      await call('POST', '/jobs/runs/cancel', { run_id: body.run_id });
      expect((await getRun(body.run_id)).state.result_state).toBe('SUCCESS');
      const unknown = await call('POST', '/jobs/runs/cancel', { run_id: 1 });
      expect(unknown).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Run 1 does not exist.' } });
      expect((await call('GET', '/jobs/runs/get?run_id=1')).status).toBe(400);
    });

    test('runs/list filters by job and activity and pages with next_page_token', async () => {
      const job = emu.jobs.add({ settings: { name: 'listed' } });
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await call('POST', '/jobs/run-now', { job_id: job.job_id })).body.run_id);
        clock.advance(10);
      }
      const page1 = (await call('GET', `/jobs/runs/list?job_id=${job.job_id}&limit=2`)).body;
      expect(page1.runs.map((r: any) => r.run_id)).toEqual([ids[2], ids[1]]);
      expect(page1.has_more).toBe(true);
      expect(page1.runs[0].tasks).toBeUndefined();
      const page2 = (await call('GET', `/jobs/runs/list?job_id=${job.job_id}&limit=2&page_token=${page1.next_page_token}`)).body;
      expect(page2.runs.map((r: any) => r.run_id)).toEqual([ids[0]]);
      expect(page2).toMatchObject({ has_more: false, prev_page_token: expect.any(String) });

      expect((await call('GET', `/jobs/runs/list?job_id=${job.job_id}&active_only=true`)).body.runs).toHaveLength(3);
      clock.advance(4 * STEP);
      const active = (await call('GET', `/jobs/runs/list?job_id=${job.job_id}&active_only=true`)).body;
      expect(active).toEqual({ has_more: false });
      expect((await call('GET', `/jobs/runs/list?job_id=${job.job_id}&completed_only=true`)).body.runs).toHaveLength(3);
    });

    test('runs/list rejects contradictory or out-of-range parameters', async () => {
      for (const q of ['active_only=true&completed_only=true', 'limit=26', 'limit=x', 'run_type=ANY', 'page_token=garbage']) {
        const res = await call('GET', `/jobs/runs/list?${q}`);
        expect([q, res.status, res.body.error_code]).toEqual([q, 400, 'INVALID_PARAMETER_VALUE']);
      }
    });
  });

  describe('authentication and the Token API', () => {
    test('a missing or unknown bearer token answers 401 with a Databricks error body', async () => {
      for (const token of [null, 'dapi-unknown']) {
        const res = await call('GET', '/jobs/runs/list', undefined, token);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error_code: 'UNAUTHENTICATED', message: expect.any(String) });
      }
    });

    test('token/create mints a working token; token/delete revokes it at once; list shows only live tokens', async () => {
      const created = await call('POST', '/api/2.0/token/create', { lifetime_seconds: 3600, comment: 'rotation of databricks/gateway' });
      expect(created.status).toBe(200);
      const { token_value, token_info } = created.body;
      expect(token_value).toMatch(/^dapi[0-9a-f]{32}$/);
      expect(token_info).toEqual({
        token_id: expect.stringMatching(/^[0-9a-f]{64}$/),
        creation_time: clock.now(),
        expiry_time: clock.now() + 3600_000,
        comment: 'rotation of databricks/gateway',
      });
      expect((await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, token_value)).status).toBe(200);
      const listed = (await call('GET', '/api/2.0/token/list')).body.token_infos.map((t: any) => t.token_id);
      expect(listed).toContain(token_info.token_id);

      expect((await call('POST', '/api/2.0/token/delete', { token_id: token_info.token_id })).status).toBe(200);
      expect((await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, token_value)).status).toBe(401);
      expect((await call('GET', '/api/2.0/token/list')).body.token_infos.map((t: any) => t.token_id)).not.toContain(token_info.token_id);
      const again = await call('POST', '/api/2.0/token/delete', { token_id: token_info.token_id });
      expect(again).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
      expect(emu.tokens().find((t) => t.tokenId === token_info.token_id)?.revoked).toBe(true);
    });

    test('a token stops working when its lifetime has passed on the clock', async () => {
      const { body } = await call('POST', '/api/2.0/token/create', { lifetime_seconds: 60 });
      expect((await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, body.token_value)).status).toBe(200);
      clock.advance(60_000);
      expect((await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, body.token_value)).status).toBe(401);
    });

    test('token/create rejects a non-integer lifetime', async () => {
      const res = await call('POST', '/api/2.0/token/create', { lifetime_seconds: 'forever' });
      expect([res.status, res.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    });

    test('every call records the credential that made it, never its value', async () => {
      const { body } = await call('POST', '/api/2.0/token/create', { comment: 'recorded' });
      await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, body.token_value);
      const last = emu.calls().at(-1)!;
      expect(last).toEqual({ method: 'GET', path: '/api/2.0/preview/scim/v2/Me', status: 200, tokenId: body.token_info.token_id, tokenKind: 'pat' });
      expect(JSON.stringify(emu.calls())).not.toContain(body.token_value);
    });
  });

  describe('OAuth M2M', () => {
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const tokenRequest = (authorization: string, body = 'grant_type=client_credentials&scope=all-apis') =>
      fetch(`${emu.url}/oidc/v1/token`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body });

    test('client credentials with HTTP Basic mint a Bearer token that acts as the service principal until it expires', async () => {
      const res = await tokenRequest(basic('sp-app-id', 'sp-secret'));
      const body = (await res.json()) as Record<string, any>;
      expect(res.status).toBe(200);
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: 'all-apis' });
      const me = await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, body.access_token);
      expect(me.body.userName).toBe('sp-app-id');
      expect(emu.calls().at(-1)?.tokenKind).toBe('oauth');
      clock.advance(600_000);
      expect((await call('GET', '/api/2.0/preview/scim/v2/Me', undefined, body.access_token)).status).toBe(401);
    });

    test('a wrong secret answers 401 invalid_client; a wrong grant or scope answers 400', async () => {
      const wrong = await tokenRequest(basic('sp-app-id', 'nope'));
      expect([wrong.status, ((await wrong.json()) as any).error]).toEqual([401, 'invalid_client']);
      const grant = await tokenRequest(basic('sp-app-id', 'sp-secret'), 'grant_type=password&scope=all-apis');
      expect([grant.status, ((await grant.json()) as any).error]).toEqual([400, 'unsupported_grant_type']);
      const scope = await tokenRequest(basic('sp-app-id', 'sp-secret'), 'grant_type=client_credentials&scope=sql');
      expect([scope.status, ((await scope.json()) as any).error]).toEqual([400, 'invalid_scope']);
    });
  });

  describe('fault injection', () => {
    test('failNext answers before any work, with Retry-After on 429 and 503 and Databricks error codes', async () => {
      const before = emu.runs().length;
      emu.failNext(429, { retryAfterSeconds: 7 });
      emu.failNext(503);
      const throttled = await call('POST', '/jobs/runs/submit', { tasks: [notebookTask()] });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(throttled.body.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
      const unavailable = await call('POST', '/jobs/runs/submit', { tasks: [notebookTask()] });
      expect([unavailable.status, unavailable.headers.get('retry-after'), unavailable.body.error_code]).toEqual([503, '1', 'TEMPORARILY_UNAVAILABLE']);
      expect(emu.runs()).toHaveLength(before);
    });

    test('the shared FaultInjector applies to every call and counts what it injected', async () => {
      emu.faults.settings = { errorRate: 1, kinds: ['429'], latencyMs: 0 };
      try {
        const res = await call('GET', '/api/2.0/token/list');
        expect([res.status, res.headers.get('retry-after')]).toEqual([429, '1']);
        expect(emu.faults.stats.injected['429']).toBeGreaterThan(0);
      } finally {
        emu.faults.settings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };
      }
    });
  });
});

describe('Databricks emulator: service principal OAuth secrets (workspace-level proxy API)', () => {
  const clock = new ManualClock();
  let emu: DatabricksEmulator;
  const ADMIN = { clientId: 'admin-sp-app', clientSecret: 'admin-sp-secret-0', workspaceAdmin: true };
  const PLAIN = { clientId: 'plain-sp-app', clientSecret: 'plain-sp-secret-0' };

  beforeAll(async () => {
    emu = await startDatabricksEmulator({ clock, oauthClients: [ADMIN, PLAIN] });
  });
  afterAll(() => emu.close());

  const exchange = async (clientId: string, clientSecret: string) => {
    const res = await fetch(`${emu.url}/oidc/v1/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=all-apis',
    });
    return { status: res.status, token: ((await res.json()) as { access_token?: string }).access_token };
  };
  const secrets = async (method: 'GET' | 'POST' | 'DELETE', spId: string, options: { token: string; body?: unknown; suffix?: string }) => {
    const res = await fetch(`${emu.url}/api/2.0/accounts/servicePrincipals/${spId}/credentials/secrets${options.suffix ?? ''}`, {
      method,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  test('SCIM Me of a service principal token answers with its numeric id, the {id} of the secrets API', async () => {
    const { token } = await exchange(ADMIN.clientId, ADMIN.clientSecret);
    const me = (await (await fetch(`${emu.url}/api/2.0/preview/scim/v2/Me`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ id: emu.servicePrincipalId(ADMIN.clientId), userName: ADMIN.clientId });
    expect(me.id).toMatch(/^\d+$/);
  });

  test('create returns the value once, with a lifetime; the new secret works at /oidc/v1/token; list never shows values', async () => {
    const spId = emu.servicePrincipalId(ADMIN.clientId)!;
    const { token } = await exchange(ADMIN.clientId, ADMIN.clientSecret);
    const created = await secrets('POST', spId, { token: token!, body: { lifetime: '86400s' } });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(['create_time', 'expire_time', 'id', 'secret', 'secret_hash', 'status', 'update_time']);
    expect(Date.parse(created.body.expire_time) - Date.parse(created.body.create_time)).toBe(86_400_000);
    expect((await exchange(ADMIN.clientId, created.body.secret)).status).toBe(200);

    const listed = await secrets('GET', spId, { token: token! });
    expect(listed.body.secrets.map((s: { id: string }) => s.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    // an expired secret stops working
    clock.advance(86_400_000);
    expect((await exchange(ADMIN.clientId, created.body.secret)).status).toBe(401);
  });

  test('a deleted secret stops working at once; deleting it again is RESOURCE_DOES_NOT_EXIST', async () => {
    const spId = emu.servicePrincipalId(ADMIN.clientId)!;
    const { token } = await exchange(ADMIN.clientId, ADMIN.clientSecret);
    const created = await secrets('POST', spId, { token: token!, body: {} });
    expect(Date.parse(created.body.expire_time) - Date.parse(created.body.create_time)).toBe(730 * 86_400_000);
    expect((await secrets('DELETE', spId, { token: token!, suffix: `/${created.body.id}` })).body).toEqual({});
    expect((await exchange(ADMIN.clientId, created.body.secret)).status).toBe(401);
    expect(await secrets('DELETE', spId, { token: token!, suffix: `/${created.body.id}` })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  test.each([
    ['a lifetime without the seconds suffix', { lifetime: '86400' }],
    ['a lifetime longer than 730 days', { lifetime: `${731 * 86_400}s` }],
    ['a zero lifetime', { lifetime: '0s' }],
  ])('refuses %s', async (_what, body) => {
    const { token } = await exchange(ADMIN.clientId, ADMIN.clientSecret);
    expect(await secrets('POST', emu.servicePrincipalId(ADMIN.clientId)!, { token: token!, body })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  test('only workspace admins may manage secrets, and a principal holds at most five', async () => {
    const plainSp = emu.servicePrincipalId(PLAIN.clientId)!;
    const { token: plain } = await exchange(PLAIN.clientId, PLAIN.clientSecret);
    expect(await secrets('POST', plainSp, { token: plain!, body: {} })).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });

    const { token: admin } = await exchange(ADMIN.clientId, ADMIN.clientSecret);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await secrets('POST', plainSp, { token: admin!, body: { lifetime: '3600s' } })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 400]);
    expect((await secrets('GET', plainSp, { token: admin! })).body.secrets).toHaveLength(5);
  });

  test('pages the listing with page_size and next_page_token', async () => {
    const spId = emu.servicePrincipalId(PLAIN.clientId)!;
    const { token } = await exchange(ADMIN.clientId, ADMIN.clientSecret);
    const first = await secrets('GET', spId, { token: token!, suffix: '?page_size=2' });
    expect(first.body.secrets).toHaveLength(2);
    const second = await secrets('GET', spId, { token: token!, suffix: `?page_size=2&page_token=${first.body.next_page_token}` });
    expect(second.body.secrets).toHaveLength(2);
    expect(second.body.next_page_token).toBeDefined();
  });
});
