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
  /** Rotations and failed rotation steps per rotated credential: what each secret's rotation alarm watches. */
  byCredential: ['service', 'credential'],
} as const;

/** The `credential` dimension: which credential a rotation was about. A stack holds at most one of each. */
export const ROTATED_CREDENTIALS = {
  databricksPat: 'databricks-pat',
  databricksOAuthSecret: 'databricks-oauth-secret',
  googleServiceAccountKey: 'google-service-account-key',
} as const;

export type RotatedCredential = (typeof ROTATED_CREDENTIALS)[keyof typeof ROTATED_CREDENTIALS];
