// The Secrets Manager rotation function, composed: which rotator a secret gets, and the four-step protocol around it.
import type { RuntimeSettings } from '../../contract/settings.js';
import { createRotationHandler, type RotationDeps, type RotationHandler } from '../rotation/rotation.js';
import { rotationTargets, type RotationTargetsProps } from '../rotation/targets.js';

export type RotationAdapters = Omit<RotationDeps, 'rotatorFor'> & Omit<RotationTargetsProps, 'settings'>;

export function composeRotation(settings: RuntimeSettings<'rotation'>, adapters: RotationAdapters): RotationHandler {
  const { secrets, audit, metrics, log, ...targets } = adapters;
  return createRotationHandler({ secrets, audit, metrics, log, rotatorFor: rotationTargets({ ...targets, settings }) });
}
