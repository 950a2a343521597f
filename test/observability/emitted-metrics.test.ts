// The alarms and graphs watch what the functions emit: each embedded-metric-format line, parsed, names the same
// namespace, metric and dimensions as the metric definition in lib/observability/metrics.ts.
import { describe, expect, test } from '@jest/globals';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PowertoolsAuthorizerMetrics } from '../../lambda/adapters/powertools/authorizer-metrics.js';
import { createMetrics, PowertoolsJobMetrics } from '../../lambda/adapters/powertools/job-metrics.js';
import { FAIL_CLOSED_REASONS } from '../../contract/denials.js';
import { authorizerDenials, backendLatency, DEFAULT_METRIC_SOURCE, jobsSubmitted, submitFailures } from '../../lib/observability/metrics.js';

interface EmfLine {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Record<string, string>;
  readonly value: number;
}

/** The EMF lines `emit` writes to stdout, one per metric. */
function emitted(emit: () => void): EmfLine[] {
  const written: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    emit();
  } finally {
    process.stdout.write = original;
  }
  return written
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .flatMap((line) =>
      line._aws.CloudWatchMetrics.flatMap((d: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }) =>
        d.Metrics.map((m) => ({ namespace: d.Namespace, metric: m.Name, dimensions: Object.fromEntries(d.Dimensions[0]!.map((k) => [k, line[k]])), value: line[m.Name] })),
      ),
    );
}

/** What a CDK metric definition watches, in the same shape. */
function watched(metric: Metric): Omit<EmfLine, 'value'> {
  const config = metric.toMetricConfig().metricStat!;
  return { namespace: config.namespace, metric: config.metricName, dimensions: Object.fromEntries((config.dimensions ?? []).map((d) => [d.name, d.value])) };
}

const src = DEFAULT_METRIC_SOURCE;

describe('authorizer denials (lambda/adapters/powertools/authorizer-metrics.ts)', () => {
  test('one AuthorizerDenials line per denial, by service and reason', () => {
    const lines = emitted(() => new PowertoolsAuthorizerMetrics(createMetrics()).denied('expired'));
    expect(lines).toEqual([{ namespace: 'DataJobGateway', metric: 'AuthorizerDenials', dimensions: { service: 'data-job-gateway', reason: 'expired' }, value: 1 }]);
  });

  test.each(FAIL_CLOSED_REASONS)('the authorizer-errors alarm watches what a %s denial emits', (reason) => {
    const [line] = emitted(() => new PowertoolsAuthorizerMetrics(createMetrics()).denied(reason));
    const { value: _, ...shape } = line!;
    expect(watched(authorizerDenials(src, reason))).toEqual(shape);
  });
});

describe('job metrics (lambda/adapters/powertools/job-metrics.ts)', () => {
  test('the submit-failure alarm watches the per-backend JobSubmitFailures line', () => {
    const lines = emitted(() => new PowertoolsJobMetrics(createMetrics()).submitFailed('databricks', 'refresh-features', 'TEMPORARILY_UNAVAILABLE'));
    const shapes = lines.map(({ value: _, ...shape }) => shape);
    expect(shapes).toContainEqual(watched(submitFailures(src, 'databricks')));
  });

  test('the submissions graph watches the per-backend JobsSubmitted line', () => {
    const lines = emitted(() => new PowertoolsJobMetrics(createMetrics()).submitted('dataproc', 'daily-sales-etl'));
    expect(lines.map(({ value: _, ...shape }) => shape)).toContainEqual(watched(jobsSubmitted(src, 'dataproc')));
  });

  test('the latency graph watches BackendLatency by backend and operation', () => {
    const lines = emitted(() => new PowertoolsJobMetrics(createMetrics()).backendLatency('dataproc', 'submit', 120));
    expect(lines.map(({ value: _, ...shape }) => shape)).toEqual([watched(backendLatency(src, 'dataproc', 'submit'))]);
  });
});
