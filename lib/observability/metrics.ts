// Metric definitions: pure functions returning metrics, kept apart from the widgets and alarms built from them.
// The gateway's own metrics are the signals of contract/signals.ts, built here from their entries and nothing else.
import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { MathExpression, Metric, SearchExpression, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { METRICS_NAMESPACE, SERVICE_NAME, SIGNALS, type SignalName } from '../../contract/signals.js';

/** Every dashboard graph looks at five-minute windows (each alarm's period is its own: contract/signals.ts, alarms.ts). */
const PERIOD = Duration.minutes(5);

// ── API Gateway (the stage's ApiName + Stage dimensions) ─────────────────────────────────────────

export const apiRequests = (stage: Stage): Metric => stage.metricCount({ statistic: Stats.SUM, period: PERIOD, label: 'Requests' });
export const apiClientErrors = (stage: Stage): Metric => stage.metricClientError({ statistic: Stats.SUM, period: PERIOD, label: '4xx' });
export const apiServerErrors = (stage: Stage): Metric => stage.metricServerError({ statistic: Stats.SUM, period: PERIOD, label: '5xx' });
export const apiLatency = (stage: Stage, percentile: 50 | 90 | 99): Metric =>
  stage.metricLatency({ statistic: Stats.percentile(percentile), period: PERIOD, label: `Latency p${percentile}` });
export const apiIntegrationLatency = (stage: Stage, percentile: 50 | 90 | 99): Metric =>
  stage.metricIntegrationLatency({ statistic: Stats.percentile(percentile), period: PERIOD, label: `Integration latency p${percentile}` });

/** Percentage of requests answered 5xx; zero below `minRequests` so that one failure among three calls does not page anyone. */
export function apiServerErrorRate(stage: Stage, minRequests: number): MathExpression {
  return new MathExpression({
    expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
    usingMetrics: { requests: apiRequests(stage), errors: apiServerErrors(stage) },
    period: PERIOD,
    label: '5xx rate (%)',
  });
}

// ── Lambda functions ─────────────────────────────────────────────────────────────────────────────

export const functionErrors = (fn: IFunction, label: string, period: Duration = PERIOD): Metric => fn.metricErrors({ statistic: Stats.SUM, period, label });
export const functionThrottles = (fn: IFunction, label: string): Metric => fn.metricThrottles({ statistic: Stats.SUM, period: PERIOD, label });
export const functionInvocations = (fn: IFunction, label: string): Metric => fn.metricInvocations({ statistic: Stats.SUM, period: PERIOD, label });
export const functionDuration = (fn: IFunction, label: string, percentile: 50 | 99 = 99): Metric =>
  fn.metricDuration({ statistic: Stats.percentile(percentile), period: PERIOD, label: `${label} p${percentile}` });

// ── The gateway's signals (contract/signals.ts) ──────────────────────────────────────────────────

/** The dimension set `set` of a signal, as declared: CloudWatch matches the whole set, so a typo here would watch nothing. */
function dimensionSet(name: SignalName, set: string): readonly string[] {
  const sets: Readonly<Record<string, readonly string[]>> = SIGNALS[name].sets;
  const dimensions = sets[set];
  if (!dimensions) throw new Error(`signal ${name} has no dimension set ${set} (it has ${Object.keys(sets).join(', ')})`);
  return dimensions;
}

/** One metric of a signal: `values` names a value for exactly the dimensions of `set`. */
export function signalMetric(name: SignalName, set: string, values: Readonly<Record<string, string>>, options: { statistic: string; period: Duration; label?: string }): Metric {
  const dimensions = dimensionSet(name, set);
  const given = Object.keys(values).sort();
  if (given.join() !== [...dimensions].sort().join()) throw new Error(`signal ${name} set ${set} needs values for ${dimensions.join(', ')}, got ${given.join(', ') || 'none'}`);
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: SIGNALS[name].metric,
    dimensionsMap: { service: SERVICE_NAME, ...values },
    statistic: options.statistic,
    period: options.period,
    label: options.label,
  });
}

/** A literal inside a SEARCH expression, which is itself single-quoted inside the expression. */
function searchLiteral(value: string): string {
  if (/['"\\]/.test(value)) throw new Error(`cannot search for ${JSON.stringify(value)}: quotes and backslashes are not allowed in metric namespaces or dimension values`);
  return `"${value}"`;
}

/**
 * Every metric of a signal's dimension set, one line per value found (templates, reasons, credentials are open-ended,
 * so the dashboard finds whichever exist). The schema `{namespace, dims...}` matches exactly that set. Dashboards only:
 * alarms cannot use SEARCH. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
export function signalSearch(name: SignalName, set: string, statistic: string, label: string): SearchExpression {
  const schema = [METRICS_NAMESPACE, 'service', ...dimensionSet(name, set)].map(searchLiteral).join(',');
  return new SearchExpression({
    expression: `SEARCH('{${schema}} MetricName=${searchLiteral(SIGNALS[name].metric)} service=${searchLiteral(SERVICE_NAME)}', '${statistic}', ${PERIOD.toSeconds()})`,
    period: PERIOD,
    label,
  });
}
