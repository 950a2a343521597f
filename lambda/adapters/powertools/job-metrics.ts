// JobMetrics as CloudWatch embedded-metric-format lines through Powertools Metrics.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BackendName } from '../../../contract/backends.js';
import { METRICS } from '../../../contract/signals.js';
import type { JobMetrics } from '../../core/metrics.js';

export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });
}

/** Each event is its own EMF line (single metric), so per-template dimensions never mix within one flush. */
export class PowertoolsJobMetrics implements JobMetrics {
  constructor(private readonly metrics: Metrics) {}

  private emit(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Record<string, string>): void {
    const single = this.metrics.singleMetric();
    for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
    single.addMetric(name, unit, value);
  }

  submitted(backend: BackendName, template: string): void {
    this.emit(METRICS.jobsSubmitted, MetricUnit.Count, 1, { backend, template });
    this.emit(METRICS.jobsSubmitted, MetricUnit.Count, 1, { backend });
  }

  submitFailed(backend: BackendName, template: string, _code: string): void {
    this.emit(METRICS.submitFailures, MetricUnit.Count, 1, { backend, template });
    this.emit(METRICS.submitFailures, MetricUnit.Count, 1, { backend });
  }

  cancelled(backend: BackendName, template: string): void {
    this.emit(METRICS.jobsCancelled, MetricUnit.Count, 1, { backend, template });
  }

  backendLatency(backend: BackendName, operation: 'submit' | 'get' | 'cancel', ms: number): void {
    this.emit(METRICS.backendLatency, MetricUnit.Milliseconds, ms, { backend, operation });
  }
}
