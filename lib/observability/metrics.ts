// Metric definitions: pure functions returning metrics, kept apart from the widgets and alarms built from them.
// Names and dimensions of the gateway's own metrics come from contract/signals.ts, which the functions emit by.
import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { MathExpression, Metric, Stats, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { BackendName } from '../../contract/backends.js';
import { DIMENSIONS, METRICS } from '../../contract/signals.js';
import { FAIL_CLOSED_REASONS, type DenialReason } from '../../contract/denials.js';

/** Every dashboard graph and alarm looks at five-minute windows. */
export const PERIOD = Duration.minutes(5);

/** Where the functions' embedded-metric-format metrics land: the Powertools namespace and `service` dimension. */
export interface GatewayMetricSource {
  readonly namespace: string;
  readonly service: string;
}

/** What the functions emit today (lambda/adapters/powertools/job-metrics.ts `createMetrics`). */
export const DEFAULT_METRIC_SOURCE: GatewayMetricSource = { namespace: METRICS.namespace, service: METRICS.service };

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

export const functionErrors = (fn: IFunction, label: string): Metric => fn.metricErrors({ statistic: Stats.SUM, period: PERIOD, label });
export const functionThrottles = (fn: IFunction, label: string): Metric => fn.metricThrottles({ statistic: Stats.SUM, period: PERIOD, label });
export const functionInvocations = (fn: IFunction, label: string): Metric => fn.metricInvocations({ statistic: Stats.SUM, period: PERIOD, label });
export const functionDuration = (fn: IFunction, label: string, percentile: 50 | 99 = 99): Metric =>
  fn.metricDuration({ statistic: Stats.percentile(percentile), period: PERIOD, label: `${label} p${percentile}` });

// ── The gateway's own metrics (embedded metric format, see lambda/http/*metrics.ts) ───────────────

function gatewayMetric(src: GatewayMetricSource, metricName: string, dimensions: Record<string, string>, statistic: string = Stats.SUM, label?: string): Metric {
  return new Metric({ namespace: src.namespace, metricName, dimensionsMap: { service: src.service, ...dimensions }, statistic, period: PERIOD, label });
}

/** A literal inside a SEARCH expression, which is itself single-quoted inside the expression. */
function searchLiteral(value: string): string {
  if (/['"\\]/.test(value)) throw new Error(`cannot search for ${JSON.stringify(value)}: quotes and backslashes are not allowed in metric namespaces or dimension values`);
  return `"${value}"`;
}

/**
 * One line per value of the dimensions besides `service` (reasons, templates...): those values are open-ended, so a
 * SEARCH expression finds whichever exist rather than the stack naming them. Dashboards only: alarms cannot use SEARCH.
 * `dimensions` is the metric's whole dimension set (SEARCH matches it exactly); `label` may use `${PROP('Dim.<name>')}`.
 */
export function searchGatewayMetric(src: GatewayMetricSource, metricName: string, dimensions: readonly string[], label: string, statistic: string = Stats.SUM): MathExpression {
  const schema = [searchLiteral(src.namespace), ...dimensions.map(searchLiteral)].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName=${searchLiteral(metricName)} service=${searchLiteral(src.service)}', '${statistic}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
    label,
  });
}

/** Like `searchGatewayMetric`, for metrics whose dimension set is not fixed yet (any dimensions besides `service`). */
export function searchGatewayMetricAnyDimensions(src: GatewayMetricSource, metricName: string, label: string, statistic: string = Stats.SUM): MathExpression {
  return new MathExpression({
    expression: `SEARCH('Namespace=${searchLiteral(src.namespace)} MetricName=${searchLiteral(metricName)} service=${searchLiteral(src.service)}', '${statistic}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
    label,
  });
}

export const jobsSubmitted = (src: GatewayMetricSource, backend: BackendName): Metric => gatewayMetric(src, METRICS.jobsSubmitted, { backend }, Stats.SUM, `${backend} submitted`);
export const submitFailures = (src: GatewayMetricSource, backend: BackendName): Metric => gatewayMetric(src, METRICS.submitFailures, { backend }, Stats.SUM, `${backend} failed`);
export const backendLatency = (src: GatewayMetricSource, backend: BackendName, operation: 'submit' | 'get' | 'cancel'): Metric =>
  gatewayMetric(src, METRICS.backendLatency, { backend, operation }, Stats.percentile(99), `${backend} ${operation} p99`);

const BY_TEMPLATE = "${PROP('Dim.template')}";

export const jobsSubmittedByTemplate = (src: GatewayMetricSource): IMetric => searchGatewayMetric(src, METRICS.jobsSubmitted, DIMENSIONS.byBackendTemplate, BY_TEMPLATE);
export const submitFailuresByTemplate = (src: GatewayMetricSource): IMetric =>
  searchGatewayMetric(src, METRICS.submitFailures, DIMENSIONS.byBackendTemplate, `${BY_TEMPLATE} failed`);
export const jobsCancelledByTemplate = (src: GatewayMetricSource): IMetric =>
  searchGatewayMetric(src, METRICS.jobsCancelled, DIMENSIONS.byBackendTemplate, `${BY_TEMPLATE} cancelled`);
export const authorizerDenialsByReason = (src: GatewayMetricSource): IMetric => searchGatewayMetric(src, METRICS.authDenials, DIMENSIONS.byReason, "${PROP('Dim.reason')}");
export const authorizerDenials = (src: GatewayMetricSource, reason: DenialReason): Metric => gatewayMetric(src, METRICS.authDenials, { reason }, Stats.SUM, reason);

/** Requests the authorizer refused because it could not check them: each one is a caller turned away by our failure. */
export function authorizerFailClosed(src: GatewayMetricSource): MathExpression {
  const usingMetrics = Object.fromEntries(FAIL_CLOSED_REASONS.map((r, i) => [`r${i}`, authorizerDenials(src, r)]));
  return new MathExpression({
    expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics,
    period: PERIOD,
    label: 'Fail-closed denials',
  });
}

export const secretRotations = (src: GatewayMetricSource): IMetric => searchGatewayMetricAnyDimensions(src, METRICS.rotations, 'rotated ${LABEL}');
export const secretRotationFailures = (src: GatewayMetricSource): IMetric => searchGatewayMetricAnyDimensions(src, METRICS.rotationFailures, 'failed ${LABEL}');
