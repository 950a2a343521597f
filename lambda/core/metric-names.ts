// Metric names and dimensions: written by the functions (embedded metric format), read by the dashboard and alarms.
export const METRICS = {
  namespace: 'DataJobGateway',
  service: 'data-job-gateway',
  jobsSubmitted: 'JobsSubmitted',
  submitFailures: 'JobSubmitFailures',
  jobsCancelled: 'JobsCancelled',
  backendLatency: 'BackendLatency',
  authDenials: 'AuthorizerDenials',
  rotations: 'SecretRotations',
  rotationFailures: 'SecretRotationFailures',
} as const;

/** Dimension sets, fixed so that alarms and widgets can name them exactly. */
export const DIMENSIONS = {
  byBackend: ['service', 'backend'],
  byBackendTemplate: ['service', 'backend', 'template'],
  byReason: ['service', 'reason'],
  byOperation: ['service', 'backend', 'operation'],
} as const;
