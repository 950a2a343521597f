// Per-template service accounts, end to end in local mode, against a Dataproc emulator that enforces IAM as Google
// does: two templates submit as two different accounts, the gateway's own account holds no Dataproc permission at
// all, and every later call on a job (status, cancel, revocation) must therefore run as the account that submitted it.
import { parseTemplate } from '../../lambda/core/template-loader.js';
import type { DataprocIam } from '../../local/emulators/dataproc.js';
import { startTestGateway, TERMINAL, type TestGateway } from './local-mode.js';

const GATEWAY_SA = 'data-job-gateway@acme-data.iam.gserviceaccount.com';
const ETL_SA = 'etl-runner@acme-etl.iam.gserviceaccount.com';
const FEATURES_SA = 'features@acme-ml.iam.gserviceaccount.com';

const clusterTemplate = parseTemplate(
  `
id: etl-as-its-account
description: A cluster job submitted as its own service account
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, properties: {}}
dataproc:
  serviceAccount: ${ETL_SA}
  job:
    placement: {clusterName: etl-cluster}
    pysparkJob: {mainPythonFileUri: gs://acme-jobs/etl.py}
`,
  'templates/etl-as-its-account.yaml',
);

const batchTemplate = parseTemplate(
  `
id: features-as-its-account
description: A serverless batch submitted as, and running as, its own service account
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, properties: {}}
dataproc:
  serviceAccount: ${FEATURES_SA}
  batch:
    pysparkBatch: {mainPythonFileUri: gs://acme-jobs/features.py}
`,
  'templates/features-as-its-account.yaml',
);

/** Each template's account may work on its own kind of workload; the gateway's own account may do nothing in Dataproc. */
const IAM: DataprocIam = {
  permissions: {
    [ETL_SA]: ['dataproc.jobs.create', 'dataproc.jobs.get', 'dataproc.jobs.cancel'],
    [FEATURES_SA]: ['dataproc.batches.create', 'dataproc.batches.get', 'dataproc.operations.get', 'dataproc.operations.cancel'],
  },
  actAs: { [FEATURES_SA]: [FEATURES_SA] },
};

describe('per-template service accounts in local mode, with IAM enforced', () => {
  let gw: TestGateway;
  /** `stepMs`: how long each emulated state lasts; the cancel tests need jobs that are still running when they act. */
  const start = async (stepMs = 150) => {
    gw = await startTestGateway({ templates: [clusterTemplate, batchTemplate], dataprocIam: IAM, adjust: (c) => (c.local.dataproc.stepMs = stepMs) });
    expect(gw.local.config.dataproc!.credentials.serviceAccount).toBe(GATEWAY_SA);
  };
  afterEach(() => gw?.stop());

  const principalsOf = (path: RegExp) => [...new Set(gw.local.dataproc!.requests().filter((r) => path.test(new URL(r.url).pathname)).map((r) => r.principal))];

  it('records who submitted each job in its ledger row, and reads its status as that account', async () => {
    await start();
    const token = await gw.token('alice', ['analysts']);

    // WHEN both templates are submitted and followed to the end
    const etl = await gw.call('POST', '/jobs', { token, body: { template: 'etl-as-its-account', parameters: {} } });
    const features = await gw.call('POST', '/jobs', { token, body: { template: 'features-as-its-account', parameters: {} } });
    expect([etl.status, features.status]).toEqual([202, 202]);
    const etlDone = await gw.waitFor(etl.body.id, token, (j) => TERMINAL.includes(j.status));
    const featuresDone = await gw.waitFor(features.body.id, token, (j) => TERMINAL.includes(j.status));

    // THEN each reached SUCCEEDED: its status was read as the account that submitted it, never as the gateway's
    expect([etlDone.status, featuresDone.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(principalsOf(/\/jobs\//)).toEqual([ETL_SA]);
    expect(principalsOf(/\/batches/)).toEqual([FEATURES_SA]);
    // and the ledger row says so, for every later call (and the job-output route) to use
    expect((await gw.local.ledger.store.get(etl.body.id))?.backendRef?.submittedAs).toBe(ETL_SA);
    expect((await gw.local.ledger.store.get(features.body.id))?.backendRef?.submittedAs).toBe(FEATURES_SA);
    // the batch also runs as the template's account, not the project's default compute account
    expect(gw.local.dataproc!.batches().find((b) => b.batchId === features.body.id)?.runtimeServiceAccount).toBe(FEATURES_SA);
  });

  it('cancels as the account that submitted the job', async () => {
    await start(3_600_000);
    const token = await gw.token('alice', ['analysts']);
    const submitted = await gw.call('POST', '/jobs', { token, body: { template: 'features-as-its-account', parameters: {} } });

    const cancel = await gw.call('POST', `/jobs/${submitted.body.id}/cancel`, { token });

    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toMatch(/^(CANCELLING|CANCELLED)$/);
    const cancels = gw.local.dataproc!.requests().filter((r) => r.method === 'POST' && r.url.endsWith(':cancel'));
    expect(cancels.map((r) => r.principal)).toEqual([FEATURES_SA]);
  });

  it('a revocation sweep cancels each active job as the account that submitted it', async () => {
    await start(3_600_000);
    const alice = await gw.token('alice', ['analysts']);
    const admin = await gw.token('root', ['platform-admins']);
    const etl = await gw.call('POST', '/jobs', { token: alice, body: { template: 'etl-as-its-account', parameters: {} } });
    const features = await gw.call('POST', '/jobs', { token: alice, body: { template: 'features-as-its-account', parameters: {} } });

    const revoked = await gw.call('POST', '/admin/revocations', { token: admin, body: { issuer: gw.local.idp!.issuer, subject: 'alice', reason: 'left the company' } });

    expect(revoked.status).toBe(201);
    expect([...revoked.body.cancelledJobs].sort()).toEqual([etl.body.id, features.body.id].sort());
    const cancels = gw.local.dataproc!.requests().filter((r) => r.method === 'POST' && r.url.endsWith(':cancel'));
    expect(cancels.map((r) => r.principal).sort()).toEqual([ETL_SA, FEATURES_SA].sort());
  });
});
