// Rotation outcomes as the SecretRotations and SecretRotationFailures signals of contract/signals.ts.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ROTATION_FAILURES, SECRET_ROTATIONS } from '../../../contract/signals.js';
import type { CredentialKind } from '../../rotation/rotator.js';
import type { RotationMetrics } from '../../rotation/rotation.js';
import { emitSignal } from './signals.js';

export class PowertoolsRotationMetrics implements RotationMetrics {
  constructor(private readonly metrics: Metrics) {}

  rotated(kind: CredentialKind): void {
    emitSignal(this.metrics, SECRET_ROTATIONS, { credential: kind });
  }

  /** `step` is whatever the event said, valid or not: emitSignal bounds it. */
  failed(kind: CredentialKind | 'unknown', step: string): void {
    emitSignal(this.metrics, ROTATION_FAILURES, { credential: kind, step });
  }
}
