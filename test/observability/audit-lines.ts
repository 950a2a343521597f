// Audit lines as AuditTrail writes them (lambda/core/audit.ts), at fixed times, for the CLI and schema tests.
export const ISSUER = 'https://idp.example.com/oauth2/default';
export const JOB_A = 'job-aaaaaaaaaaaaaaaaaaaaaaaaaa';
const JOB_B = 'job-bbbbbbbbbbbbbbbbbbbbbbbbbb';

const alice = { issuer: ISSUER, subject: 'alice', kind: 'user', groups: ['analysts'] };
const bob = { issuer: ISSUER, subject: 'bob', kind: 'user', groups: ['analysts'] };
const admin = { issuer: ISSUER, subject: 'root', kind: 'user', groups: ['platform-admins'] };
const agent = { issuer: ISSUER, subject: 'ci-pipeline', kind: 'agent', groups: [] };
const request = (n: number) => ({ requestId: `req-${n}`, sourceIp: '203.0.113.7', userAgent: 'curl/8.5' });
const sales = { template: 'daily-sales-etl', backend: 'dataproc', datasets: ['gs://acme-raw/sales'] };

/** The "now" of the CLI tests: every line below is within the day before it. */
export const NOW = new Date('2026-03-10T12:00:00.000Z');

export const LINES: Record<string, unknown>[] = [
  { audit: true, timestamp: '2026-03-09T08:00:00.000Z', event: 'job.submitted', outcome: 'success', principal: alice, jobId: JOB_A, ...sales, backendJobId: JOB_A, parameters: { date: '2026-03-08', shards: 8 }, ...request(1) },
  { audit: true, timestamp: '2026-03-09T08:05:00.000Z', event: 'job.denied', outcome: 'denied', principal: bob, template: 'refresh-features', backend: 'databricks', reason: 'group_not_allowed', ...request(2) },
  { audit: true, timestamp: '2026-03-09T09:00:00.000Z', event: 'job.submitted', outcome: 'success', principal: agent, jobId: JOB_B, ...sales, backendJobId: JOB_B, parameters: { date: '2026-03-08', shards: 2 }, ...request(3) },
  { audit: true, timestamp: '2026-03-09T09:30:00.000Z', event: 'auth.denied', outcome: 'denied', reason: 'expired', requestId: 'req-4', sourceIp: '198.51.100.9', userAgent: 'python-requests/2.32', httpMethod: 'GET', path: '/jobs' },
  { audit: true, timestamp: '2026-03-09T10:00:00.000Z', event: 'job.cancelled', outcome: 'success', principal: alice, jobId: JOB_A, template: 'daily-sales-etl', backend: 'dataproc', backendJobId: JOB_A, reason: 'requested', ...request(5) },
  { audit: true, timestamp: '2026-03-09T11:00:00.000Z', event: 'principal.revoked', outcome: 'success', principal: admin, target: { issuer: ISSUER, subject: 'bob' }, reason: 'left the company', cancelledJobs: [], ...request(6) },
  { audit: true, timestamp: '2026-03-10T01:00:00.000Z', event: 'job.submit_failed', outcome: 'failure', principal: alice, jobId: 'job-cccccccccccccccccccccccccc', ...sales, parameters: { date: '2026-03-09', shards: 8 }, reason: 'RESOURCE_EXHAUSTED', ...request(7) },
  { audit: true, timestamp: '2026-03-10T02:00:00.000Z', event: 'secret.rotated', outcome: 'success', backend: 'databricks', secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:databricks-AbCdEf', requestId: 'rot-1' },
  { audit: true, timestamp: '2026-03-10T02:10:00.000Z', event: 'secret.rotation_failed', outcome: 'failure', backend: 'dataproc', secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:google-key-AbCdEf', reason: 'test_secret_failed', requestId: 'rot-2' },
  { audit: true, timestamp: '2026-03-10T03:00:00.000Z', event: 'job.submitted', outcome: 'success', principal: alice, jobId: 'job-dddddddddddddddddddddddddd', ...sales, backendJobId: 'job-dddddddddddddddddddddddddd', parameters: { date: '2026-03-09', shards: 8 }, ...request(8) },
];

export const asJsonLines = (lines: readonly unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
