// Authorizer denials as the AuthorizerDenials signal of contract/signals.ts: its graph and the authorizer-errors alarm.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DenialReason } from '../../../contract/denials.js';
import { AUTHORIZER_DENIALS } from '../../../contract/signals.js';
import { emitSignal } from './signals.js';

/** What the authorizer reports besides its audit event. */
export interface AuthorizerMetrics {
  /** One request refused, for `reason`. */
  denied(reason: DenialReason): void;
}

/** Written at once (emitSignal): an authorizer has no flush point to rely on. */
export class PowertoolsAuthorizerMetrics implements AuthorizerMetrics {
  constructor(private readonly metrics: Metrics) {}

  denied(reason: DenialReason): void {
    emitSignal(this.metrics, AUTHORIZER_DENIALS, { reason });
  }
}
