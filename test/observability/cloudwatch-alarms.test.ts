// The CloudWatch model the alarm-firing suite relies on (test/observability/cloudwatch-alarms.ts) decides as the
// documentation says on the points that make an alarm fire or not.
import { describe, expect, test } from '@jest/globals';
import { emfDatapoints, evaluateAlarm, evaluateExpression, type Datapoint, type TemplateAlarm } from './cloudwatch-alarms.js';

const AT = Date.UTC(2026, 11, 2, 12, 2, 30);
const point = (metric: string, dimensions: Record<string, string>, value = 1, timestamp = AT): Datapoint => ({ namespace: 'NS', metric, dimensions, timestamp, value });

const alarm = (over: Partial<TemplateAlarm> = {}): TemplateAlarm => ({
  name: 'test',
  queries: [{ id: 'm', namespace: 'NS', metric: 'Failures', dimensions: { service: 's', backend: 'b' }, stat: 'Sum', periodSeconds: 300 }],
  periodSeconds: 300,
  threshold: 3,
  comparison: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'notBreaching',
  ...over,
});

describe('evaluateAlarm', () => {
  test('sums the period\'s datapoints of exactly the dimensions it names', () => {
    const three = [1, 2, 3].map(() => point('Failures', { service: 's', backend: 'b' }));
    expect(evaluateAlarm(alarm(), three, AT)).toBe('ALARM');
    // the same events under a larger dimension set are another metric
    expect(evaluateAlarm(alarm(), three.map((p) => ({ ...p, dimensions: { ...p.dimensions, template: 't' } })), AT)).toBe('OK');
  });

  test('counts only the period that holds the evaluation time', () => {
    const earlier = [1, 2, 3].map(() => point('Failures', { service: 's', backend: 'b' }, 1, AT - 300_000));
    expect(evaluateAlarm(alarm(), earlier, AT)).toBe('OK');
  });

  test('treats a period without data as TreatMissingData says', () => {
    expect(evaluateAlarm(alarm(), [], AT)).toBe('OK');
    expect(evaluateAlarm(alarm({ treatMissingData: 'breaching' }), [], AT)).toBe('ALARM');
    expect(evaluateAlarm(alarm({ treatMissingData: 'missing' }), [], AT)).toBe('INSUFFICIENT_DATA');
  });
});

describe('evaluateExpression', () => {
  test('FILL replaces a missing value only where another metric of the expression has one', () => {
    expect(evaluateExpression('FILL(a, 0) + FILL(b, 0)', new Map([['a', 2], ['b', undefined]]))).toBe(2);
    expect(evaluateExpression('FILL(a, 0) + FILL(b, 0)', new Map([['a', undefined], ['b', undefined]]))).toBeUndefined();
    expect(evaluateExpression('a + b', new Map([['a', 2], ['b', undefined]]))).toBeUndefined();
  });

  test('IF takes one branch; comparisons are 1 or 0; grouping and precedence hold', () => {
    const rate = 'IF(requests >= 10, 100 * errors / requests, 0)';
    expect(evaluateExpression(rate, new Map([['requests', 20], ['errors', 2]]))).toBe(10);
    expect(evaluateExpression(rate, new Map([['requests', 5], ['errors', 2]]))).toBe(0);
    expect(evaluateExpression('FILL(e, 0) - (FILL(a, 0) + FILL(b, 0))', new Map([['e', 2], ['a', 1], ['b', undefined]]))).toBe(1);
  });

  test('refuses what it does not model rather than guessing', () => {
    expect(() => evaluateExpression('SUM(METRICS())', new Map())).toThrow(/not modelled|does not define/);
  });
});

describe('emfDatapoints', () => {
  test('extracts one datapoint per dimension set and metric, and ignores lines that are not EMF', () => {
    const line = JSON.stringify({
      _aws: { Timestamp: AT, CloudWatchMetrics: [{ Namespace: 'NS', Dimensions: [['service'], ['service', 'backend']], Metrics: [{ Name: 'Failures', Unit: 'Count' }] }] },
      service: 's',
      backend: 'b',
      Failures: 1,
    });
    expect(emfDatapoints([line, '{"level":"INFO","message":"not a metric"}', 'plain text'])).toEqual([
      { namespace: 'NS', metric: 'Failures', dimensions: { service: 's' }, timestamp: AT, value: 1, unit: 'Count' },
      { namespace: 'NS', metric: 'Failures', dimensions: { service: 's', backend: 'b' }, timestamp: AT, value: 1, unit: 'Count' },
    ]);
  });

  test('refuses a dimension whose value is not a string at the root, as CloudWatch would drop the line', () => {
    const line = JSON.stringify({ _aws: { Timestamp: AT, CloudWatchMetrics: [{ Namespace: 'NS', Dimensions: [['backend']], Metrics: [{ Name: 'F' }] }] }, F: 1 });
    expect(() => emfDatapoints([line])).toThrow('EMF dimension backend is not a string');
  });
});
