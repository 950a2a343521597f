// The backends of a deployed function (jobs, admin, reconciler), with their credentials from Secrets Manager.
import type { DatabricksConfig, DataprocConfig } from '../../contract/settings.js';
import { ENV } from '../../contract/settings.js';
import { backendEntries } from '../adapters/backends.js';
import { SecretsManagerStore } from '../adapters/secrets-manager.js';
import type { BackendEntries } from '../core/backend-loader.js';

export function deployedBackends(settings: { readonly dataproc?: DataprocConfig; readonly databricks?: DatabricksConfig }, secrets = new SecretsManagerStore()): BackendEntries {
  return backendEntries(settings, { secrets, databricksSecretId: process.env[ENV.databricksSecret], googleKeySecretId: process.env[ENV.googleKeySecret] });
}
