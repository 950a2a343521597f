import type { BackendName } from '../../contract/backends.js';

/** Business metrics the core emits; deployed they become CloudWatch embedded-metric-format lines. */
export interface JobMetrics {
  submitted(backend: BackendName, template: string): void;
  submitFailed(backend: BackendName, template: string, code: string): void;
  cancelled(backend: BackendName, template: string): void;
  backendLatency(backend: BackendName, operation: 'submit' | 'get' | 'cancel', ms: number): void;
}

export const noMetrics: JobMetrics = {
  submitted: () => {},
  submitFailed: () => {},
  cancelled: () => {},
  backendLatency: () => {},
};
