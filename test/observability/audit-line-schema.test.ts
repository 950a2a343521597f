// The audit line schema: what AuditTrail writes passes it, in local mode's file and in the Powertools JSON line
// CloudWatch receives, and lines that break the contract (or carry a credential) do not.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { AuditTrail, type AuditEvent } from '../../lambda/core/audit.js';
import { AUDIT_EVENTS, checkAuditLine } from '../../contract/audit-line.js';
import { ISSUER, JOB_A, LINES } from './audit-lines.js';

/** What Powertools Logger prints for one audit event (the line Lambda sends to CloudWatch), parsed. */
function powertoolsLines(event: AuditEvent): Record<string, any>[] {
  const written: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    new AuditTrail(new Logger({ serviceName: 'data-job-gateway' })).record(event);
  } finally {
    process.stdout.write = original;
  }
  return written.join('').trim().split('\n').map((l) => JSON.parse(l));
}

const submitted: AuditEvent = {
  event: 'job.submitted',
  outcome: 'success',
  principal: { issuer: ISSUER, subject: 'alice', kind: 'user', groups: ['analysts'] },
  jobId: JOB_A,
  template: 'daily-sales-etl',
  backend: 'dataproc',
  backendJobId: JOB_A,
  datasets: ['gs://acme-raw/sales'],
  parameters: { date: '2026-03-08', token: '***' },
  requestId: 'req-1',
  sourceIp: '203.0.113.7',
  userAgent: 'curl/8.5',
};

describe('lines that keep the contract', () => {
  test.each(LINES.map((l) => [l.event, l] as const))('%s (as local mode writes it) passes', (_, line) => {
    expect(checkAuditLine(line)).toEqual({ valid: true, errors: [] });
  });

  test('every event the audit trail is typed with is listed for auditors in docs/auditors.md', () => {
    const doc = readFileSync(new URL('../../docs/auditors.md', import.meta.url), 'utf8');
    const eventRow = doc.split('\n').find((l) => l.startsWith('| `event` |')) ?? '';
    for (const event of AUDIT_EVENTS) expect(eventRow).toContain(`\`${event}\``);
  });

  test('the Powertools line CloudWatch receives passes, with the keys Logs Insights queries name', () => {
    // WHEN
    const lines = powertoolsLines(submitted);
    const line = lines.find((l) => l.audit === true)!;
    // THEN the extra keys sit at the top level, the principal stays an object (Logs Insights: principal.subject)
    expect(checkAuditLine(line)).toEqual({ valid: true, errors: [] });
    expect(line).toMatchObject({ level: 'INFO', message: 'job.submitted', service: 'data-job-gateway', event: 'job.submitted', jobId: JOB_A, outcome: 'success' });
    expect(line.principal.subject).toBe('alice');
  });
});

describe('lines that break it', () => {
  const base = LINES[0]!;
  test.each([
    ['an unknown event', { ...base, event: 'job.exploded' }, '/event must be equal to one of the allowed values'],
    ['an outcome the event cannot have', { ...base, outcome: 'denied', reason: 'x' }, '/outcome must be equal to one of the allowed values'],
    ['a refusal without a reason', { audit: true, timestamp: base.timestamp, event: 'auth.denied', outcome: 'denied' }, "/ must have required property 'reason'"],
    ['a submission without its backend job id', { ...base, backendJobId: undefined }, "/ must have required property 'backendJobId'"],
    ['a principal of an unknown kind', { ...base, principal: { issuer: ISSUER, subject: 'a', kind: 'robot' } }, '/principal/kind must be equal to one of the allowed values'],
    ['a job id that is not ours', { ...base, jobId: 'JOB-1' }, '/jobId must match pattern'],
    ['no timestamp', { ...base, timestamp: undefined }, "/ must have required property 'timestamp'"],
    ['a token among the facts', { ...base, token: 'whatever' }, 'a credential-like key is present'],
  ])('%s fails', (_, line, message) => {
    const check = checkAuditLine(JSON.parse(JSON.stringify(line)));
    expect(check.valid).toBe(false);
    expect(check.errors.join('\n')).toContain(message);
  });
});
