// Rotation outcomes as CloudWatch embedded-metric-format lines through Powertools Metrics.
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../../../contract/signals.js';
import type { CredentialKind } from '../../rotation/rotator.js';
import type { RotationMetrics } from '../../rotation/rotation.js';

/**
 * Each outcome is one line with the `service` dimension only (all rotations), one with the credential (what that
 * secret's rotation alarm watches, lib/constructs/rotation.ts), and for failures one more with the step, for a dashboard.
 */
export class PowertoolsRotationMetrics implements RotationMetrics {
  constructor(private readonly metrics: Metrics) {}

  rotated(kind: CredentialKind): void {
    this.emit(METRICS.rotations, {});
    this.emit(METRICS.rotations, { credential: kind });
  }

  failed(kind: CredentialKind | 'unknown', step: string): void {
    this.emit(METRICS.rotationFailures, {});
    this.emit(METRICS.rotationFailures, { credential: kind });
    this.emit(METRICS.rotationFailures, { credential: kind, step: step.slice(0, 32) });
  }

  private emit(name: string, dimensions: Record<string, string>): void {
    const single = this.metrics.singleMetric();
    for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
    single.addMetric(name, MetricUnit.Count, 1);
  }
}
