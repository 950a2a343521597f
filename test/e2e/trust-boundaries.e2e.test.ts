// The trust boundaries end to end in local mode: groups counted only from an issuer trusted for them, route scopes
// enforced by API Gateway's (here the local gateway's) evaluation of the authorizer's cached policy, links built from
// the gateway's own URL, keyed MACs in the ledger and on Dataproc labels, and auditors' fingerprints of personal values.
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../lib/config.js';
import { jobIdForKey, legacyRequestHash } from '../../lambda/core/ids.js';
import type { JobRecord } from '../../lambda/core/ledger.js';
import { principalKey } from '../../lambda/core/principal.js';
import { LOCAL_AWS } from '../../local/embedded-ledger.js';
import { localIssuerConfig, startIdentityProvider, type LocalIdentityProvider } from '../../local/idp/provider.js';
import { startTestGateway, type TestGateway } from './local-mode.js';

let gw: TestGateway;
/** A second issuer, like the example config's partner-facing Cognito pool: trusted to assert one group only. */
let partner: LocalIdentityProvider;

beforeAll(async () => {
  partner = await startIdentityProvider({ audience: 'data-job-gateway' });
  // authorizerCacheTtlSeconds from config/local.yaml (300): a second request with the same token is a cache hit
  gw = await startTestGateway({ adjust: (c) => c.auth.issuers.push(localIssuerConfig(partner, { trustedGroups: ['partner-analysts'] })) });
});
afterAll(async () => {
  await gw?.stop();
  await partner?.close();
});

describe('groups are tied to their issuer', () => {
  it('ignores an admin group asserted by an issuer not trusted for it', async () => {
    const token = await partner.userToken({ sub: 'pool-user', groups: ['platform-admins', 'partner-analysts'] });
    const res = await gw.call('POST', '/admin/revocations', { token, body: { issuer: gw.local.idp!.issuer, subject: 'alice', reason: 'takeover' } });
    expect(res.status).toBe(403);
    expect(gw.audit.find((e) => e.event === 'principal.revoked' && (e.principal as { subject: string }).subject === 'pool-user')).toMatchObject({
      outcome: 'denied',
      reason: 'not_admin',
      principal: { issuer: partner.issuer, groups: ['partner-analysts'] },
    });
  });

  it('ignores a template group asserted by an issuer not trusted for it, while the staff issuer\'s counts', async () => {
    const body = { template: 'daily-sales-etl', parameters: { date: '2026-11-21' } };
    const fromPartner = await gw.call('POST', '/jobs', { token: await partner.userToken({ sub: 'pool-analyst', groups: ['analysts'] }), body });
    expect(fromPartner.status).toBe(404);
    expect(gw.audit.find((e) => e.event === 'job.denied' && (e.principal as { subject: string }).subject === 'pool-analyst')).toMatchObject({ reason: 'group_not_allowed', principal: { groups: [] } });
    const fromStaff = await gw.call('POST', '/jobs', { token: await gw.token('staff-analyst', ['analysts']), body });
    expect(fromStaff.status).toBe(202);
  });

  it('refuses to start when a group in access.* can be asserted by no issuer, naming the field and the fix', async () => {
    const start = startTestGateway({
      adjust: (c) => {
        c.local.identityProvider.enabled = false;
        c.auth.issuers = [localIssuerConfig(partner, { trustedGroups: ['analysts', 'data-eng', 'data-science', 'account-managers', 'ml-platform'] })];
      },
    });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/\/access\/auditorGroups\/0 names "auditors", which no issuer may assert: add "auditors" to \/auth\/issuers\/<n>\/trustedGroups/);
  });
});

describe('route scopes', () => {
  it('answers 403 to a jobs:read token on POST /jobs even when the authorizer\'s answer comes from the cache', async () => {
    // GIVEN a token granted only jobs:read, whose policy the gateway caches on a first, allowed read
    const token = await gw.token('reader', ['analysts'], { scopes: ['jobs:read'] });
    expect((await gw.call('GET', '/jobs', { token })).status).toBe(200);
    const before = gw.audit.length;

    // WHEN it submits and cancels (cache hits: the authorizer is not called again)
    const submit = await gw.call('POST', '/jobs', { token, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-21' } } });
    const cancel = await gw.call('POST', '/jobs/job-aaaaaaaaaaaaaaaaaaaaaaaaaa/cancel', { token });

    // THEN API Gateway's own 403 (ACCESS_DENIED) answers both, and no function ran
    for (const res of [submit, cancel]) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
      expect(res.body).toMatchObject({ type: 'https://data-job-gateway.dev/problems/forbidden', status: 403 });
    }
    expect(gw.audit.slice(before).filter((e) => String(e.event).startsWith('job.'))).toEqual([]);
    expect(gw.local.dataproc!.jobs().some((j) => JSON.stringify(j.job).includes('reader'))).toBe(false);
    expect((await gw.call('GET', '/templates', { token })).status).toBe(200);
  });

  it('answers 403 on a first request (no cache) for a route the scopes do not grant, and audits missing_scope', async () => {
    const token = await gw.token('submitter-only', ['analysts'], { scopes: ['jobs:submit'] });
    const res = await gw.call('GET', '/jobs', { token });
    expect(res.status).toBe(403);
    expect(gw.audit.filter((e) => e.event === 'auth.denied' && (e.principal as { subject?: string } | undefined)?.subject === 'submitter-only')).toEqual([
      expect.objectContaining({ reason: 'missing_scope', requiredScope: 'jobs:read', path: '/jobs', httpMethod: 'GET' }),
    ]);
    const submitted = await gw.call('POST', '/jobs', { token, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-22' } } });
    expect(submitted.status).toBe(202);
  });

  it('keeps admin routes to tokens with the admin scope, even for members of the admin group', async () => {
    const token = await gw.token('ops', ['platform-admins'], { scopes: ['jobs:read', 'audit'] });
    const revoke = await gw.call('POST', '/admin/revocations', { token, body: { issuer: 'https://idp.example.com', subject: 'mallory', reason: 'test' } });
    expect(revoke.status).toBe(403);
    expect((await gw.call('GET', '/admin/revocations', { token })).status).toBe(200);
  });
});

describe('links come from the gateway\'s own URL', () => {
  /** A raw request, so the Host and X-Forwarded-Proto headers are exactly what a hostile client sends. */
  function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
    return new Promise((resolve, reject) => {
      const req = request(`${gw.local.url}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const hostile = { Host: 'evil.example', 'X-Forwarded-Proto': 'gopher', 'X-Forwarded-Host': 'evil.example' };

  it('builds Location and links.self from the configured base URL, whatever Host the caller sends', async () => {
    const token = await gw.token('linker', ['analysts']);
    const res = await raw('POST', '/jobs', { ...hostile, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, JSON.stringify({ template: 'daily-sales-etl', parameters: { date: '2026-11-23' } }));
    expect(res.status).toBe(202);
    expect(res.body.links.self).toBe(`${gw.local.url}/jobs/${res.body.id}`);
    expect(res.headers.location).toBe(`${gw.local.url}/jobs/${res.body.id}`);
  });

  it('serves OpenAPI servers from the configured base URL, even when the first caller lies about Host', async () => {
    const res = await raw('GET', '/openapi.json', hostile);
    expect(res.body.servers).toEqual([{ url: gw.local.url }]);
    expect(JSON.stringify(res.body)).not.toContain('evil.example');
  });
});

describe('keyed MACs instead of guessable hashes', () => {
  it('stores a request hash and labels the Dataproc job with a tag that the plain SHA-256 of the inputs does not give', async () => {
    const token = await gw.token('hashed', ['analysts']);
    const parameters = { date: '2026-11-24' };
    const res = await gw.call('POST', '/jobs', { token, body: { template: 'daily-sales-etl', parameters } });
    expect(res.status).toBe(202);
    const row = (await gw.local.ledger.store.get(res.body.id))!;
    expect(row.requestHash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(row.requestHash).not.toContain(legacyRequestHash({ template: 'daily-sales-etl', parameters: { ...parameters, shards: 8 } }));
    const label = gw.local.dataproc!.jobs().find((j) => j.job.reference?.jobId === res.body.id)!.job.labels!['gateway-principal']!;
    expect(label).toMatch(/^[0-9a-f]{16}$/);
    const guess = createHash('sha256').update(principalKey({ issuer: gw.local.idp!.issuer, subject: 'hashed' })).digest('hex');
    expect(guess.startsWith(label)).toBe(false);
    expect(label).toBe((await gw.local.keyedHash()).principalTag({ issuer: gw.local.idp!.issuer, subject: 'hashed' }));
  });

  it('keeps replaying an Idempotency-Key whose ledger row was written before keyed MACs (and still refuses another body)', async () => {
    // GIVEN a row as the previous release wrote it: an unkeyed SHA-256 request hash
    const token = await gw.token('upgrader', ['analysts']);
    const issuer = gw.local.idp!.issuer;
    const id = jobIdForKey(issuer, 'upgrader', 'before-upgrade');
    const first = await gw.call('POST', '/jobs', { token, headers: { 'Idempotency-Key': 'before-upgrade' }, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-25' } } });
    expect(first.body.id).toBe(id);
    const row = (await gw.local.ledger.store.get(id))!;
    const legacy: JobRecord = { ...row, requestHash: legacyRequestHash({ template: 'daily-sales-etl', parameters: { date: '2026-11-25', shards: 8 } }) };
    await overwrite(legacy);

    // WHEN the client retries with the same key and body, and then with another body
    const retry = await gw.call('POST', '/jobs', { token, headers: { 'Idempotency-Key': 'before-upgrade' }, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-25' } } });
    const other = await gw.call('POST', '/jobs', { token, headers: { 'Idempotency-Key': 'before-upgrade' }, body: { template: 'daily-sales-etl', parameters: { date: '2026-11-26' } } });

    // THEN the retry is the same job, replayed; the other body is a conflict
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(other.status).toBe(409);
  });

  /** Write a ledger row as it is, replacing the one there (the previous release's row, in this test). */
  async function overwrite(row: JobRecord): Promise<void> {
    const { DynamoDBDocumentClient, PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: gw.local.ledger.endpoint }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    await doc.send(new PutCommand({ TableName: gw.local.ledger.tableName, Item: { ...row, pk: `JOB#${row.id}` } }));
  }
});

describe('personal values', () => {
  it('lets an auditor find every job sent to an address, through its fingerprint, without the address in the audit trail', async () => {
    // GIVEN two reports to one address, submitted by different people
    const body = (customerId: string) => ({ template: 'customer-report-notebook', parameters: { customerId, recipientEmail: 'finance@acme.com' } });
    const a = await gw.call('POST', '/jobs', { token: await gw.token('am-1', ['account-managers']), body: body('C1000001') });
    const b = await gw.call('POST', '/jobs', { token: await gw.token('am-2', ['account-managers']), body: body('C1000002') });
    expect([a.status, b.status]).toEqual([202, 202]);

    // WHEN an auditor asks for the address's fingerprint
    const auditor = await gw.token('carol', ['auditors'], { scopes: ['jobs:read', 'audit'] });
    const res = await gw.call('POST', '/audit/fingerprints', { token: auditor, body: { value: 'finance@acme.com' } });

    // THEN the audit trail's submissions carry exactly that fingerprint, and the lookup itself is audited without the value
    expect(res.status).toBe(200);
    const { fingerprint } = res.body;
    const sentTo = gw.audit.filter((e) => e.event === 'job.submitted' && (e.parameters as Record<string, unknown>)?.recipientEmail === fingerprint).map((e) => e.jobId);
    expect(sentTo.sort()).toEqual([a.body.id, b.body.id].sort());
    expect(gw.audit.filter((e) => e.event === 'audit.fingerprint')).toEqual([expect.objectContaining({ outcome: 'success', fingerprint, principal: expect.objectContaining({ subject: 'carol' }) })]);
    expect(JSON.stringify(gw.audit)).not.toContain('finance@acme.com');
  });

  it('refuses the lookup to a caller who is not an auditor (403, audited) and to a token without the audit scope', async () => {
    const analyst = await gw.token('nosy', ['analysts']);
    const denied = await gw.call('POST', '/audit/fingerprints', { token: analyst, body: { value: 'finance@acme.com' } });
    expect(denied.status).toBe(403);
    expect(gw.audit.filter((e) => e.event === 'audit.fingerprint' && e.outcome === 'denied')).toEqual([expect.objectContaining({ reason: 'not_auditor' })]);
    const unscoped = await gw.call('POST', '/audit/fingerprints', { token: await gw.token('carol-read', ['auditors'], { scopes: ['jobs:read'] }), body: { value: 'x@acme.com' } });
    expect(unscoped.status).toBe(403);
    expect(unscoped.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
  });
});
