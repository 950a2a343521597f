// JobMetrics (lambda/core/metrics.ts) as the jobs signals of contract/signals.ts.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { BackendName } from '../../../contract/backends.js';
import { BACKEND_LATENCY, JOBS_CANCELLED, JOBS_SUBMITTED, SUBMIT_FAILURES } from '../../../contract/signals.js';
import type { JobMetrics } from '../../core/metrics.js';
import { emitSignal } from './signals.js';

export class PowertoolsJobMetrics implements JobMetrics {
  constructor(private readonly metrics: Metrics) {}

  submitted(backend: BackendName, template: string): void {
    emitSignal(this.metrics, JOBS_SUBMITTED, { backend, template });
  }

  /** The code is the audit trail's `reason`; as a dimension it would make a metric per error code. */
  submitFailed(backend: BackendName, template: string, _code: string): void {
    emitSignal(this.metrics, SUBMIT_FAILURES, { backend, template });
  }

  cancelled(backend: BackendName, template: string): void {
    emitSignal(this.metrics, JOBS_CANCELLED, { backend, template });
  }

  backendLatency(backend: BackendName, operation: 'submit' | 'get' | 'cancel', ms: number): void {
    emitSignal(this.metrics, BACKEND_LATENCY, { backend, operation }, ms);
  }
}
