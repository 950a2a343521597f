// djg audit in local mode: the saved queries answered from the local audit log, as CloudWatch would answer them.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { AuditTrail } from '../../lambda/core/audit.js';
import { asJsonLines, ISSUER, JOB_A, LINES, NOW } from './audit-lines.js';
import { audit, captureIo, tableHeader, tableRows } from './cli-io.js';

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'djg-audit-cli-'));
  file = join(dir, 'audit.log');
  writeFileSync(file, asJsonLines(LINES));
});

async function run(...argv: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await audit(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('who-ran <jobId>', () => {
  test('lists the job\'s events oldest first: who submitted it, then who cancelled it', async () => {
    const { code, out, err } = await run('who-ran', JOB_A, '--local', file);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(tableHeader(out)).toEqual(['@timestamp', 'event', 'outcome', 'principal.subject', 'principal.issuer', 'principal.kind', 'template', 'backend', 'backendJobId', 'reason', 'sourceIp', 'requestId']);
    expect(tableRows(out)).toEqual([
      ['2026-03-09 08:00:00.000', 'job.submitted', 'success', 'alice', ISSUER, 'user', 'daily-sales-etl', 'dataproc', JOB_A, '203.0.113.7', 'req-1'],
      ['2026-03-09 10:00:00.000', 'job.cancelled', 'success', 'alice', ISSUER, 'user', 'daily-sales-etl', 'dataproc', JOB_A, 'requested', '203.0.113.7', 'req-5'],
    ]);
  });

  test('--local right after the command does not take the job id for a file', async () => {
    const io = captureIo({ cwd: dir });
    writeFileSync(join(dir, 'local.yaml'), `auth: {}\nlocal: {auditLogFile: audit.log}\n`);
    const code = await audit(['who-ran', '--local', JOB_A, '--config', 'local.yaml', '--json'], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.out()).map((r: any) => r.event)).toEqual(['job.submitted', 'job.cancelled']);
  });
});

describe('principal <subject>', () => {
  test('everything the principal did and what was done to them, newest first', async () => {
    const { code, out } = await run('principal', 'bob', '--since', '7d', '--local', file, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      {
        '@timestamp': '2026-03-09 11:00:00.000',
        event: 'principal.revoked',
        outcome: 'success',
        reason: 'left the company',
        'principal.subject': 'root',
        'principal.issuer': ISSUER,
        'principal.kind': 'user',
        'target.subject': 'bob',
        sourceIp: '203.0.113.7',
        requestId: 'req-6',
      },
      {
        '@timestamp': '2026-03-09 08:05:00.000',
        event: 'job.denied',
        outcome: 'denied',
        template: 'refresh-features',
        backend: 'databricks',
        reason: 'group_not_allowed',
        'principal.subject': 'bob',
        'principal.issuer': ISSUER,
        'principal.kind': 'user',
        sourceIp: '203.0.113.7',
        requestId: 'req-2',
      },
    ]);
  });

  test('--since bounds the search: an hour back finds nothing', async () => {
    const { code, out } = await run('principal', 'alice', '--since', '1h', '--local', file);
    expect(code).toBe(0);
    expect(out).toBe('No audit events matched between 2026-03-10T11:00:00.000Z and 2026-03-10T12:00:00.000Z.\n');
  });
});

describe('denied, failures, submissions, submissions-per-day, rotations', () => {
  test('denied --since 24h sees nothing older than a day; --since 2d sees token and template refusals', async () => {
    expect((await run('denied', '--since', '24h', '--local', file)).out).toMatch(/^No audit events matched/);
    const { out } = await run('denied', '--since', '2d', '--local', file, '--json');
    expect(JSON.parse(out).map((r: any) => [r.event, r.reason, r['principal.subject'] ?? '-', r.path ?? '-'])).toEqual([
      ['auth.denied', 'expired', '-', '/jobs'],
      ['job.denied', 'group_not_allowed', 'bob', '-'],
    ]);
  });

  test('failures shows the backend\'s error code and the rotation that failed', async () => {
    const { out } = await run('failures', '--local', file, '--json');
    expect(JSON.parse(out).map((r: any) => [r.event, r.reason])).toEqual([
      ['secret.rotation_failed', 'test_secret_failed'],
      ['job.submit_failed', 'RESOURCE_EXHAUSTED'],
    ]);
  });

  test('submissions lists jobs sent to a backend, newest first', async () => {
    const { out } = await run('submissions', '--since', '2d', '--local', file, '--json');
    expect(JSON.parse(out).map((r: any) => [r.jobId, r['principal.subject'], r['principal.kind']])).toEqual([
      ['job-dddddddddddddddddddddddddd', 'alice', 'user'],
      ['job-bbbbbbbbbbbbbbbbbbbbbbbbbb', 'ci-pipeline', 'agent'],
      [JOB_A, 'alice', 'user'],
    ]);
  });

  test('submissions-per-day counts by UTC day, template and backend, as stats ... by bin(1d) does', async () => {
    const { out } = await run('submissions-per-day', '--local', file, '--json');
    expect(JSON.parse(out)).toEqual([
      { day: '2026-03-10 00:00:00.000', template: 'daily-sales-etl', backend: 'dataproc', submissions: '1' },
      { day: '2026-03-09 00:00:00.000', template: 'daily-sales-etl', backend: 'dataproc', submissions: '2' },
    ]);
  });

  test('rotations lists rotations and failed rotations with the secret', async () => {
    const { out } = await run('rotations', '--local', file);
    expect(tableRows(out).map((r) => r.slice(1, 4))).toEqual([
      ['secret.rotation_failed', 'failure', 'dataproc'],
      ['secret.rotated', 'success', 'databricks'],
    ]);
    expect(out).toContain('arn:aws:secretsmanager:eu-west-1:123456789012:secret:databricks-AbCdEf');
  });
});

describe('the local audit log', () => {
  test('reads the lines AuditTrail appends, as local mode writes them', async () => {
    // GIVEN an audit trail writing to a file the way local/local-mode.ts does
    const own = join(dir, 'trail.log');
    const trail = new AuditTrail(new Logger({ serviceName: 'data-job-gateway', logLevel: 'SILENT' }), [(line) => appendFileSync(own, `${JSON.stringify(line)}\n`)]);
    trail.record({ event: 'job.submitted', outcome: 'success', principal: { issuer: ISSUER, subject: 'erin', kind: 'user', groups: [] }, jobId: 'job-eeeeeeeeeeeeeeeeeeeeeeeeee', template: 't', backend: 'databricks', backendJobId: '42', requestId: 'r' });
    // WHEN
    const io = captureIo({ cwd: dir, now: () => new Date() });
    const code = await audit(['who-ran', 'job-eeeeeeeeeeeeeeeeeeeeeeeeee', '--local', own, '--json'], io);
    // THEN
    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toEqual([expect.objectContaining({ event: 'job.submitted', 'principal.subject': 'erin', backendJobId: '42' })]);
  });

  test('skips lines that are not audit JSON, and says so', async () => {
    const messy = join(dir, 'messy.log');
    writeFileSync(messy, `${asJsonLines(LINES.slice(0, 1))}not json\n{"no":"timestamp"}\n`);
    const { code, out, err } = await run('submissions', '--since', '2d', '--local', messy, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toHaveLength(1);
    expect(err).toBe(`djg audit: skipped 2 lines of ${messy} that are not audit JSON\n`);
  });

  test('a missing file says how to make one (exit 4)', async () => {
    const { code, err } = await run('denied', '--local', join(dir, 'nowhere.log'));
    expect(code).toBe(4);
    expect(err).toContain('no local audit log at');
    expect(err).toContain('start local mode (npm start)');
  });

  test('without a file, --local reads local.auditLogFile of the config', async () => {
    writeFileSync(join(dir, 'local-config.yaml'), `auth: {}\nlocal: {auditLogFile: audit.log}\n`);
    const { code, out } = await run('submissions-per-day', '--local', '--config', 'local-config.yaml', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toHaveLength(2);
  });
});

describe('command-line mistakes', () => {
  test.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['who-ran'], 'who-ran needs <jobId>'],
    [['denied', 'extra'], "too many arguments for 'denied'"],
    [['denied', '--since', 'yesterday'], '--since must be a duration such as 30m, 24h, 7d or 2w'],
    [['denied', '--since', '2026-03-11'], '--since 2026-03-11 is in the future'],
    [['denied', '--since', '2d', '--until', '3d'], 'must be before --until'],
    [['who-ran', 'job-"x" or 1=1', '--local'], '<jobId> may not contain double quotes'],
    [['denied', '--local', '--log-group', 'g'], '--local reads the local audit log: it cannot be combined with --log-group'],
    [['denied', '--bogus'], "unknown option '--bogus'"],
  ])('%j exits 2 and says what is wrong', async (argv, message) => {
    const { code, out, err } = await run(...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toMatch(/--help/);
  });

  test('--help lists every saved query with its arguments', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    for (const line of [/who-ran \[options\] \[jobId\]/, /principal \[options\] \[subject\]/, /denied \[options\]/, /failures/, /submissions-per-day/, /rotations/]) expect(out).toMatch(line);
  });
});

test('NOW is the clock these tests run at', () => expect(NOW.toISOString()).toBe('2026-03-10T12:00:00.000Z'));
