// One home per signal (contract/signals.ts): the functions write exactly the dimension sets a signal declares, under its
// name, unit, namespace and service; every set declared is read by an alarm or a graph; and nothing in the environment
// can move what is written away from what the stack watches.
import { afterEach, describe, expect, test } from '@jest/globals';
import { METRICS_NAMESPACE, SERVICE_NAME, SIGNAL_GRAPHS, SIGNALS, type SignalName } from '../../contract/signals.js';
import { PowertoolsAuthorizerMetrics } from '../../lambda/adapters/powertools/authorizer-metrics.js';
import { PowertoolsJobMetrics } from '../../lambda/adapters/powertools/job-metrics.js';
import { PowertoolsRotationMetrics } from '../../lambda/adapters/powertools/rotation-metrics.js';
import { createMetrics } from '../../lambda/adapters/powertools/signals.js';
import { emittedDuring } from './cloudwatch-alarms.js';

/** Every event each emitter can report, with the signal it must land in. */
const EVENTS: readonly { readonly event: string; readonly signal: SignalName; readonly emit: () => void }[] = [
  { event: 'a job submitted', signal: 'jobsSubmitted', emit: () => new PowertoolsJobMetrics(createMetrics()).submitted('dataproc', 'daily-sales-etl') },
  { event: 'a submission failed', signal: 'submitFailures', emit: () => new PowertoolsJobMetrics(createMetrics()).submitFailed('databricks', 'refresh-features', 'TEMPORARILY_UNAVAILABLE') },
  { event: 'a job cancelled', signal: 'jobsCancelled', emit: () => new PowertoolsJobMetrics(createMetrics()).cancelled('dataproc', 'daily-sales-etl') },
  { event: 'a backend call timed', signal: 'backendLatency', emit: () => new PowertoolsJobMetrics(createMetrics()).backendLatency('databricks', 'get', 120) },
  { event: 'a token refused', signal: 'authorizerDenials', emit: () => new PowertoolsAuthorizerMetrics(createMetrics()).denied('expired') },
  { event: 'a credential rotated', signal: 'rotations', emit: () => new PowertoolsRotationMetrics(createMetrics()).rotated('databricks-pat') },
  { event: 'a rotation step failed', signal: 'rotationFailures', emit: () => new PowertoolsRotationMetrics(createMetrics()).failed('google-service-account-key', 'testSecret') },
];

/** The JSON lines `emit` writes to stdout (emittedDuring reads them the way CloudWatch does), and what it writes to stderr. */
function written(emit: () => void): { docs: Record<string, any>[]; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const { write: stdout } = process.stdout;
  const { write: stderr } = process.stderr;
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    emit();
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return { docs: out.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)), stderr: err.join('') };
}

describe('what the functions write', () => {
  test.each(EVENTS.map((e) => [e.event, e] as const))('%s: exactly the dimension sets, name, unit, namespace and service of its signal', (_, { signal, emit }) => {
    // WHEN the event is reported
    const { docs, stderr } = written(emit);
    // THEN one EMF line per dimension set the contract declares, each naming the contract's metric
    const { metric, unit, sets } = SIGNALS[signal];
    expect(docs.map((d) => d._aws.CloudWatchMetrics)).toEqual(
      Object.values(sets).map((set) => [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service', ...set]], Metrics: [{ Name: metric, Unit: unit }] }]),
    );
    for (const doc of docs) expect(doc.service).toBe(SERVICE_NAME);
    // AND Powertools had nothing to warn about (a warning would be a log line per event)
    expect(stderr).toBe('');
  });

  test.each(EVENTS.map((e) => [e.event, e] as const))('%s: each dimension set counts the event once', async (_, { signal, emit }) => {
    const datapoints = await emittedDuring(emit);
    expect(datapoints).toHaveLength(Object.keys(SIGNALS[signal].sets).length);
    expect(new Set(datapoints.map((d) => JSON.stringify(Object.keys(d.dimensions).sort()))).size).toBe(datapoints.length);
  });

  test('a value the event lacks becomes "unknown": an empty one would fold one dimension set into another and count twice', async () => {
    const datapoints = await emittedDuring(() => new PowertoolsRotationMetrics(createMetrics()).failed('unknown', ''));
    expect(datapoints.map((d) => d.dimensions)).toEqual([
      { service: SERVICE_NAME, credential: 'unknown' },
      { service: SERVICE_NAME, credential: 'unknown', step: 'unknown' },
    ]);
  });
});

describe('POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME', () => {
  const saved = { namespace: process.env.POWERTOOLS_METRICS_NAMESPACE, service: process.env.POWERTOOLS_SERVICE_NAME };
  afterEach(() => {
    for (const [key, value] of [['POWERTOOLS_METRICS_NAMESPACE', saved.namespace], ['POWERTOOLS_SERVICE_NAME', saved.service]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('cannot move a signal away from what the alarms watch: the code passes the contract names, which Powertools prefers', async () => {
    // GIVEN the variables set to other names (the stack sets neither: test/cdk/stack.test.ts)
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'SomethingElse';
    process.env.POWERTOOLS_SERVICE_NAME = 'something-else';
    // WHEN a function reports a denial
    const [point] = await emittedDuring(() => new PowertoolsAuthorizerMetrics(createMetrics()).denied('expired'));
    // THEN it lands where contract/signals.ts says
    expect(point).toMatchObject({ namespace: METRICS_NAMESPACE, dimensions: { service: SERVICE_NAME, reason: 'expired' } });
  });
});

describe('contract/signals.ts', () => {
  /** `<signal>.<set>` for every set some alarm or graph reads. */
  const read = new Set([
    ...(Object.keys(SIGNALS) as SignalName[]).flatMap((name) => SIGNALS[name].alarms.map((a) => `${name}.${a.set}`)),
    ...SIGNAL_GRAPHS.flatMap((g) => [...g.left, ...(g.right ?? [])].map((s) => `${s.signal}.${s.set}`)),
  ]);
  const declared = (Object.keys(SIGNALS) as SignalName[]).flatMap((name) => Object.keys(SIGNALS[name].sets).map((set) => `${name}.${set}`));

  test('every dimension set the functions write is read by an alarm or a graph', () => {
    expect(declared.filter((s) => !read.has(s))).toEqual([]);
  });

  test('every alarm and graph reads a dimension set the functions write', () => {
    expect([...read].filter((s) => !declared.includes(s))).toEqual([]);
  });
});
