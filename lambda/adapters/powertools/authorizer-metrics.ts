// Authorizer denials by reason as CloudWatch embedded-metric-format lines through Powertools Metrics: the dashboard's
// "denials by reason" graph and the fail-closed alarm (lib/observability/metrics.ts) read them.
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DenialReason } from '../../../contract/denials.js';
import { METRICS } from '../../../contract/signals.js';

/** What the authorizer reports besides its audit event. */
export interface AuthorizerMetrics {
  /** One request refused, for `reason`. */
  denied(reason: DenialReason): void;
}

export const noAuthorizerMetrics: AuthorizerMetrics = { denied: () => {} };

/** Each denial is its own EMF line (dimensions service + reason), written at once: an authorizer has no flush point to rely on. */
export class PowertoolsAuthorizerMetrics implements AuthorizerMetrics {
  constructor(private readonly metrics: Metrics) {}

  denied(reason: DenialReason): void {
    const single = this.metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(METRICS.authDenials, MetricUnit.Count, 1);
  }
}
