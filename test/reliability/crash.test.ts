// A handler that dies mid-submit, then a retry with the same Idempotency-Key: the retry completes the SAME job.
import { startTestGateway, type TestGateway } from '../e2e/local-mode.js';
import { backendJobsFor, crashingService, localPrincipal, RELIABILITY_TEMPLATES, REQUEST_FACTS, SimulatedCrash, type CrashPoint } from './support.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ templates: RELIABILITY_TEMPLATES });
});
afterAll(() => gw?.stop());

const cases: [string, CrashPoint][] = RELIABILITY_TEMPLATES.flatMap((t) => (['after-reserve', 'after-backend-call'] as const).map((p): [string, CrashPoint] => [t.id, p]));
const ran: { name: string; backendJobs: number }[] = [];

afterAll(() => {
  const doubled = ran.filter((r) => r.backendJobs !== 1).length;
  console.log(`[reliability/crash] cases=${ran.length} completedByRetry=${ran.length - doubled} doubled=${doubled} (${ran.map((r) => r.name).join(', ')})`);
});

it.each(cases)('%s: a handler that dies %s is completed by the retry, never doubled', async (template, point) => {
  const subject = `crash-${template}-${point}`;
  const key = `key-${point}`;
  const parameters = { n: 7 };

  // GIVEN a submission whose handler died at `point`
  const service = crashingService(gw, point);
  await expect(service.submit({ principal: localPrincipal(gw, subject), template, parameters, idempotencyKey: key }, REQUEST_FACTS)).rejects.toBeInstanceOf(SimulatedCrash);
  const [reserved] = (await gw.local.ledger.store.listByPrincipal(`${gw.local.idp!.issuer}#${subject}`, { limit: 5 })).items;
  expect(reserved).toMatchObject({ pending: 'RESERVED', status: 'QUEUED', backendStatus: 'RESERVED' });
  expect(reserved!.backendRef).toBeUndefined();
  expect(backendJobsFor(gw, template, reserved!.id)).toHaveLength(point === 'after-reserve' ? 0 : 1);

  // WHEN the client retries with the same key, through the gateway
  const token = await gw.token(subject, ['analysts']);
  const retry = await gw.call('POST', '/jobs', { token, body: { template, parameters }, headers: { 'Idempotency-Key': key } });

  // THEN it is answered with the same job, now on its backend exactly once, and the ledger records it
  expect(retry.status).toBe(202);
  expect(retry.body.id).toBe(reserved!.id);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  const jobs = backendJobsFor(gw, template, reserved!.id);
  expect(jobs).toHaveLength(1);
  const row = await gw.local.ledger.store.get(reserved!.id);
  expect(row?.pending).toBeUndefined();
  expect(row?.backendRef?.id).toBe(jobs[0]);

  // AND another retry changes nothing
  const again = await gw.call('POST', '/jobs', { token, body: { template, parameters }, headers: { 'Idempotency-Key': key } });
  expect(again.body.id).toBe(reserved!.id);
  expect(backendJobsFor(gw, template, reserved!.id)).toHaveLength(1);
  ran.push({ name: `${template}/${point}`, backendJobs: backendJobsFor(gw, template, reserved!.id).length });
});
