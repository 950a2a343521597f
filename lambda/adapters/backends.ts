// Dataproc and Databricks as the config describes them, each loaded on first use: a Databricks request never pays for
// Google's client, nor the reverse. The deployed functions and local mode build their backends here alike.
import type { BackendEntries } from '../core/backend-loader.js';
import type { SecretStore } from '../core/secrets.js';
import type { DatabricksConfig, DataprocConfig } from '../../contract/settings.js';
import type { AwsCredentialSource } from './google/credentials.js';

export interface BackendAdapterOptions {
  /** Where the credentials are: Secrets Manager deployed, the config's `local.secrets` in local mode. */
  readonly secrets: SecretStore;
  /** The secret holding the Databricks credential. */
  readonly databricksSecretId?: string;
  /** Key mode: the secret holding the Google service-account key. @default the config's `secretName` */
  readonly googleKeySecretId?: string;
  /** AWS credentials Workload Identity Federation presents to Google. @default the function role's */
  readonly aws?: AwsCredentialSource;
}

export function backendEntries(settings: { readonly dataproc?: DataprocConfig; readonly databricks?: DatabricksConfig }, options: BackendAdapterOptions): BackendEntries {
  const entries: BackendEntries = {};
  const { dataproc, databricks } = settings;
  if (dataproc) {
    entries.dataproc = async () => {
      const [{ DataprocBackend }, { createGoogleAuth }] = await Promise.all([import('./dataproc/backend.js'), import('./google/credentials.js')]);
      const auth = createGoogleAuth({ credentials: dataproc.credentials, secrets: options.secrets, secretId: options.googleKeySecretId, ...(options.aws && { aws: options.aws }) });
      return new DataprocBackend({
        projectId: dataproc.projectId,
        region: dataproc.region,
        endpoint: dataproc.endpoint,
        storageEndpoint: dataproc.storageEndpoint,
        serviceAccount: dataproc.credentials.serviceAccount,
        auth: (serviceAccount) => auth(serviceAccount),
      });
    };
  }
  if (databricks) {
    const secretId = options.databricksSecretId;
    entries.databricks = async () => {
      if (!secretId) throw new Error('the Databricks backend needs the id of the secret holding its credential');
      const { databricksBackendFromConfig } = await import('./databricks/backend.js');
      return databricksBackendFromConfig(databricks, options.secrets, secretId);
    };
  }
  return entries;
}
