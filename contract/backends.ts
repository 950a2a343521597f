// The backends the gateway submits to. Config sections, template blocks, ledger rows, metric dimensions and the API all
// name a backend by one of these.
export const BACKEND_NAMES = ['dataproc', 'databricks'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
