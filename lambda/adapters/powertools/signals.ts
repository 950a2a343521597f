// The gateway's signals (contract/signals.ts) as CloudWatch embedded-metric-format lines through Powertools Metrics.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME, type DimensionValues, type EmittedSignal } from '../../../contract/signals.js';

/**
 * Namespace and `service` from contract/signals.ts, compiled in: the functions get no POWERTOOLS_METRICS_NAMESPACE or
 * POWERTOOLS_SERVICE_NAME, and these constructor options would win over them anyway.
 */
export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
}

/**
 * One event of `signal`: written at once, one EMF line per dimension set the signal declares and no other, so each
 * set's metric counts the event once and nothing is emitted that no alarm or graph reads. (One EMF document may list
 * several sets, but Powertools then warns on every event about the keys the sets share.)
 */
export function emitSignal<S extends EmittedSignal>(metrics: Metrics, signal: S, values: DimensionValues<S>, value = 1): void {
  for (const set of Object.values(signal.sets)) {
    const line = metrics.singleMetric();
    for (const dimension of set) line.addDimension(dimension, dimensionValue((values as Record<string, unknown>)[dimension]));
    line.addMetric(signal.metric, MetricUnit[signal.unit], value);
  }
}

/** Powertools drops an empty dimension value, which would fold one set into another and count the event twice. */
function dimensionValue(value: unknown): string {
  const text = typeof value === 'string' ? value.slice(0, 64) : '';
  return text === '' ? 'unknown' : text;
}
