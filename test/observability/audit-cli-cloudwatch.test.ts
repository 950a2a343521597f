// djg audit against CloudWatch Logs Insights (aws-sdk-client-mock): the saved query strings, progress while a
// query runs, results as a table or JSON, and what the user is told when CloudWatch or AWS says no.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { describeAwsError } from '../../cli/errors.js';
import { AUDIT_QUERIES, renderQuery } from '../../contract/audit-queries.js';
import { ISSUER, JOB_A, NOW } from './audit-lines.js';
import { audit, captureIo, tableRows } from './cli-io.js';

const logs = mockClient(CloudWatchLogsClient);
afterEach(() => {
  logs.reset();
});

const GROUP = 'TestGateway-AuditLog-1A2B3C';
const client = () => new CloudWatchLogsClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-key' } });
const field = (f: string, value: string) => ({ field: f, value });

const COMPLETE: Partial<GetQueryResultsCommandOutput> = {
  status: 'Complete',
  statistics: { recordsScanned: 12345, recordsMatched: 2, bytesScanned: 999 },
  results: [
    [field('@timestamp', '2026-03-09 08:00:00.000'), field('event', 'job.submitted'), field('outcome', 'success'), field('principal.subject', 'alice'), field('principal.issuer', ISSUER), field('requestId', 'req-1'), field('@ptr', 'CmUKJgoi...')],
    [field('@timestamp', '2026-03-09 10:00:00.000'), field('event', 'job.cancelled'), field('outcome', 'success'), field('principal.subject', 'alice'), field('principal.issuer', ISSUER), field('reason', 'requested'), field('requestId', 'req-5'), field('@ptr', 'CmUKJgoj...')],
  ],
};

/** StartQuery answers q-1; GetQueryResults answers each of `statuses` in turn. */
function queryGoesThrough(...responses: Partial<GetQueryResultsCommandOutput>[]) {
  logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
  const get = logs.on(GetQueryResultsCommand);
  for (const r of responses) get.resolvesOnce(r);
}

const run = async (argv: string[], io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: client })) => ({ code: await audit(argv, io), out: io.out(), err: io.err() });

describe('a query that completes', () => {
  test('Scheduled → Running → Complete: runs the saved query string over --since, prints a table and progress', async () => {
    // GIVEN
    queryGoesThrough({ status: 'Scheduled' }, { status: 'Running', statistics: { recordsScanned: 5000, recordsMatched: 1 } }, COMPLETE);
    // WHEN
    const { code, out, err } = await run(['who-ran', JOB_A]);
    // THEN the very string the stack saves, parameter filled in, over the query's default 30 days
    expect(code).toBe(0);
    const start = logs.commandCalls(StartQueryCommand)[0]!.args[0].input;
    expect(start).toEqual({
      logGroupName: GROUP,
      queryString: renderQuery(AUDIT_QUERIES['who-ran'], { jobId: JOB_A }),
      startTime: NOW.getTime() / 1000 - 30 * 86400,
      endTime: NOW.getTime() / 1000,
    });
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
    expect(tableRows(out)).toEqual([
      ['2026-03-09 08:00:00.000', 'job.submitted', 'success', 'alice', ISSUER, 'req-1'],
      ['2026-03-09 10:00:00.000', 'job.cancelled', 'success', 'alice', ISSUER, 'requested', 'req-5'],
    ]);
    expect(out).not.toContain('@ptr');
    // one progress line per status on a non-terminal stderr, then a summary
    expect(err.split('\n').filter(Boolean)).toEqual([
      `who-ran on ${GROUP}: Scheduled, 0.0 s`,
      `who-ran on ${GROUP}: Running, 0.0 s, 5,000 records scanned, 1 matched`,
      `who-ran on ${GROUP}: Complete, 0.0 s, 12,345 records scanned, 2 matched`,
      '2 rows, 0.0 s, 12,345 records scanned, 2 matched',
    ]);
  });

  test('on a terminal, progress is a spinner on stderr, cleared before the results', async () => {
    queryGoesThrough({ status: 'Running' }, COMPLETE);
    // a terminal as ora drives one: it writes frames and moves the cursor to clear them
    const drawn: string[] = [];
    const terminal = Object.assign(new (await import('node:stream')).Writable({ write: (chunk, _enc, done) => (drawn.push(String(chunk)), done()) }), {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => (drawn.push('<clear>'), true),
    });
    const io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: client, stderrIsTTY: true, stdoutIsTTY: true, stderrStream: terminal });
    const { code, out } = await run(['denied', '--since', '24h'], io);
    expect(code).toBe(0);
    expect(drawn.join('')).toContain(`denied on ${GROUP}: Running, 0.0 s`);
    // the last frame is cleared away before djg ends
    expect(drawn.lastIndexOf('<clear>')).toBeGreaterThan(drawn.findLastIndex((d) => d.includes('Running')));
    expect(io.err()).toContain('2 rows');
    expect(tableRows(out)).toHaveLength(2);
  });

  test('--json piped into another program: rows as JSON on stdout, in column order, and nothing on stderr', async () => {
    queryGoesThrough({ status: 'Running' }, COMPLETE);
    const { code, out, err } = await run(['principal', 'alice', '--since', '7d', '--json']);
    expect(code).toBe(0);
    expect(err).toBe('');
    const rows = JSON.parse(out);
    expect(rows[1]).toEqual({ '@timestamp': '2026-03-09 10:00:00.000', event: 'job.cancelled', outcome: 'success', reason: 'requested', 'principal.subject': 'alice', 'principal.issuer': ISSUER, requestId: 'req-5' });
    expect(Object.keys(rows[1])).toEqual(['@timestamp', 'event', 'outcome', 'reason', 'principal.subject', 'principal.issuer', 'requestId']);
    expect(logs.commandCalls(StartQueryCommand)[0]!.args[0].input.startTime).toBe(NOW.getTime() / 1000 - 7 * 86400);
  });

  test('--json on a terminal still shows progress on stderr', async () => {
    queryGoesThrough(COMPLETE);
    const io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: client, stdoutIsTTY: true });
    await run(['denied', '--json'], io);
    expect(io.err()).toContain('2 rows');
  });

  test('polls at the configured interval until the query completes', async () => {
    queryGoesThrough({ status: 'Scheduled' }, { status: 'Running' }, { status: 'Running' }, COMPLETE);
    const waits: number[] = [];
    const io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: client, pollIntervalMs: 250, sleep: async (ms) => void waits.push(ms) });
    expect((await run(['submissions'], io)).code).toBe(0);
    expect(waits).toEqual([250, 250, 250]);
  });

  test('an empty result says so, with the time range', async () => {
    queryGoesThrough({ status: 'Complete', results: [], statistics: { recordsScanned: 10, recordsMatched: 0 } });
    const { code, out } = await run(['rotations', '--since', '2026-03-01']);
    expect(code).toBe(0);
    expect(out).toBe('No audit events matched between 2026-03-01T00:00:00.000Z and 2026-03-10T12:00:00.000Z.\n');
  });
});

describe('a query that does not complete', () => {
  test('Failed: exit 5 and the query id', async () => {
    queryGoesThrough({ status: 'Running' }, { status: 'Failed' });
    const { code, out, err } = await run(['denied']);
    expect(code).toBe(5);
    expect(out).toBe('');
    expect(err).toContain('djg: CloudWatch Logs ended the query q-1 with status Failed');
  });

  test('Timeout (CloudWatch gave up): exit 5 and advice to narrow --since', async () => {
    queryGoesThrough({ status: 'Running' }, { status: 'Timeout' });
    const { code, err } = await run(['submissions-per-day', '--since', '2w']);
    expect(code).toBe(5);
    expect(err).toContain('CloudWatch Logs timed out running the query (q-1): narrow --since');
  });

  test('--timeout passed while still running: the query is stopped in CloudWatch', async () => {
    // GIVEN a clock that moves 10 s per poll and a query that never finishes
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    logs.on(StopQueryCommand).resolves({ success: true });
    let now = NOW.getTime();
    const io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: client, now: () => new Date(now), sleep: async () => void (now += 10_000) });
    // WHEN
    const { code, err } = await run(['denied', '--timeout', '30'], io);
    // THEN
    expect(code).toBe(5);
    expect(err).toContain('query q-1 still running after 30 s: stopped it');
    expect(logs.commandCalls(StopQueryCommand).map((c) => c.args[0].input)).toEqual([{ queryId: 'q-1' }]);
  });

  test('Ctrl-C: the query is stopped in CloudWatch (exit 130)', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    logs.on(StopQueryCommand).resolves({ success: true });
    const interrupt = new AbortController();
    const io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: client, signal: interrupt.signal, sleep: async () => interrupt.abort() });
    const { code, err } = await run(['denied'], io);
    expect(code).toBe(130);
    expect(err).toContain('query q-1 interrupted and stopped');
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(1);
  });
});

describe('AWS errors and the log group', () => {
  test('an unknown log group is named, with what to check (exit 4)', async () => {
    logs.on(StartQueryCommand).rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    const { code, err } = await run(['denied', '--log-group', 'nope', '--region', 'eu-west-1']);
    expect(code).toBe(4);
    expect(err).toBe('djg: log group "nope" was not found in eu-west-1: check --log-group and --region (The specified log group does not exist.)\n');
  });

  test('access denied names the permissions the query needs (exit 3)', async () => {
    logs.on(StartQueryCommand).rejects(Object.assign(new Error('User is not authorized to perform: logs:StartQuery'), { name: 'AccessDeniedException' }));
    const { code, err } = await run(['denied']);
    expect(code).toBe(3);
    expect(err).toContain('your identity needs logs:StartQuery, logs:GetQueryResults and logs:StopQuery');
  });

  test('--region reaches the CloudWatch Logs client', async () => {
    queryGoesThrough(COMPLETE);
    const regions: (string | undefined)[] = [];
    const io = captureIo({ env: { AUDIT_LOG_GROUP: GROUP }, logsClient: (region) => (regions.push(region), client()) });
    await run(['denied', '--region', 'ap-southeast-2'], io);
    expect(regions).toEqual(['ap-southeast-2']);
  });

  test('without --log-group or AUDIT_LOG_GROUP, the log group comes from the CDK outputs file', async () => {
    queryGoesThrough(COMPLETE);
    const dir = mkdtempSync(join(tmpdir(), 'djg-outputs-'));
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ DataJobGateway: { ApiUrl: 'https://x', AuditLogGroupName: 'from-outputs' } }));
    const { code } = await run(['denied'], captureIo({ cwd: dir, logsClient: client }));
    expect(code).toBe(0);
    expect(logs.commandCalls(StartQueryCommand)[0]!.args[0].input.logGroupName).toBe('from-outputs');
  });

  test('an outputs file with several gateway stacks asks for --stack, and --stack picks one', async () => {
    queryGoesThrough(COMPLETE);
    const dir = mkdtempSync(join(tmpdir(), 'djg-outputs-'));
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ Prod: { AuditLogGroupName: 'prod-audit' }, Dev: { AuditLogGroupName: 'dev-audit' } }));
    const ambiguous = await run(['denied'], captureIo({ cwd: dir, logsClient: client }));
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain('has several gateway stacks (Prod, Dev): pass --stack <name>');
    expect((await run(['denied', '--stack', 'Dev'], captureIo({ cwd: dir, logsClient: client }))).code).toBe(0);
    expect(logs.commandCalls(StartQueryCommand)[0]!.args[0].input.logGroupName).toBe('dev-audit');
  });

  test('no log group anywhere: exit 2 and every way to give one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djg-outputs-'));
    const { code, err } = await run(['denied'], captureIo({ cwd: dir, logsClient: client }));
    expect(code).toBe(2);
    expect(err).toContain('no audit log group configured: pass --log-group <name>, set AUDIT_LOG_GROUP, or deploy with `cdk deploy --outputs-file cdk-outputs.json`');
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });
});

describe('describeAwsError', () => {
  test.each([
    [new Error('Region is missing'), 'no AWS region: pass --region or set AWS_REGION'],
    [new Error('getaddrinfo ENOTFOUND logs.eu-west-1.amazonaws.com'), 'cannot reach CloudWatch Logs in eu-west-1: check the network and --region'],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'no usable AWS credentials: set AWS_PROFILE or sign in (aws sso login)'],
    [Object.assign(new Error('unexpected end of input'), { name: 'MalformedQueryException' }), 'CloudWatch Logs rejected the query: unexpected end of input'],
  ])('%s → says what to do', (err, message) => {
    expect(describeAwsError(err, { logGroupName: GROUP, region: 'eu-west-1' })).toContain(message);
  });
});
