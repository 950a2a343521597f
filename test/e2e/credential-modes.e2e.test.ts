// The other credential modes, end to end in local mode: a Google service-account key from the secret store, and
// Databricks OAuth machine-to-machine tokens minted at the workspace's /oidc/v1/token.
import { startTestGateway, TERMINAL, type TestGateway } from './local-mode.js';

describe('credential modes in local mode', () => {
  let gw: TestGateway;
  afterEach(() => gw?.stop());

  it('submits to Dataproc with a service-account key read from the secret store', async () => {
    gw = await startTestGateway({
      adjust: (c) => {
        c.dataproc!.credentials = { type: 'service-account-key', serviceAccount: 'data-job-gateway@acme-data.iam.gserviceaccount.com', secretName: 'djg/google-key' };
      },
    });
    const token = await gw.token('alice', ['analysts']);
    const res = await gw.call('POST', '/jobs', { token, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-21' } } });
    expect(res.status).toBe(202);
    const done = await gw.waitFor(res.body.id, token, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    const job = gw.local.dataproc!.jobs().find((j) => j.job.reference?.jobId === res.body.id);
    expect(job?.principal).toBe('data-job-gateway@acme-data.iam.gserviceaccount.com');
  });

  it('submits to Databricks with OAuth M2M tokens', async () => {
    gw = await startTestGateway({
      adjust: (c) => {
        c.databricks!.credentials = { type: 'oauth-m2m', secretName: 'djg/databricks-m2m' };
      },
    });
    const token = await gw.token('dana', ['data-science']);
    const res = await gw.call('POST', '/jobs', { token, body: { template: 'refresh-ml-features', parameters: { featureGroup: 'orders' } } });
    expect(res.status).toBe(202);
    const done = await gw.waitFor(res.body.id, token, (j) => TERMINAL.includes(j.status));
    expect(done.status).toBe('SUCCEEDED');
    const kinds = new Set(gw.local.databricks!.calls().filter((c) => c.path.startsWith('/api/')).map((c) => c.tokenKind));
    expect(kinds).toEqual(new Set(['oauth']));
  });

  it('answers a credential failure with the backend and its code only; the secret it names is in the audit trail', async () => {
    // GIVEN a real workspace host and no Databricks credential in the secret store
    gw = await startTestGateway({
      adjust: (c) => {
        c.local.databricks.enabled = false;
        c.databricks!.host = 'https://adb-1234567890123456.7.azuredatabricks.net';
        c.databricks!.credentials = { type: 'pat', secretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:djg/databricks-AbCdEf' };
      },
    });
    const token = await gw.token('dana', ['data-science']);
    const res = await gw.call('POST', '/jobs', { token, body: { template: 'refresh-ml-features', parameters: { featureGroup: 'orders' } } });
    expect(res.status).toBeGreaterThanOrEqual(502);
    expect(res.body).toMatchObject({ backend: 'databricks', backendCode: expect.any(String), requestId: expect.any(String) });
    expect(res.body.detail).toContain(res.body.requestId);
    expect(JSON.stringify(res.body)).not.toMatch(/arn:aws|azuredatabricks|djg\/databricks/);
    const failed = gw.audit.find((e) => e.event === 'job.submit_failed' && e.requestId === res.body.requestId);
    expect(failed?.detail).toContain('arn:aws:secretsmanager:eu-west-1:123456789012:secret:djg/databricks-AbCdEf');
  });
});
