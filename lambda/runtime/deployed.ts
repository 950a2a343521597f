// The deployed wiring of the functions that act on jobs (jobs, admin, reconciler), built once per execution
// environment. Each entry file composes only the pieces it calls, so its bundle holds only the AWS SDK commands its
// role is granted (test/cdk/least-privilege.test.ts derives one from the other).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AuditTrail } from '../core/audit.js';
import type { BackendName, JobBackend } from '../core/backend.js';
import { BackendLoader } from '../core/backend-loader.js';
import { TemplateCatalog } from '../core/catalog.js';
import type { ActiveSlots, Ledger } from '../core/ledger.js';
import { JobsService } from '../core/jobs.js';
import type { KeyedHash } from '../core/keyed-hash.js';
import { SecretsManagerStore } from '../backends/secrets-manager.js';
import { createMetrics, PowertoolsJobMetrics } from '../edge/metrics.js';
import { embeddedSettings, ENV, requiredEnv, type GatewaySettings } from './settings.js';

export interface Deployed {
  readonly settings: GatewaySettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly audit: AuditTrail;
  /** One DynamoDB client for the function's ledger pieces. */
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /** Backend credentials (and, for jobs, the MAC key) from Secrets Manager. */
  readonly secrets: SecretsManagerStore;
  /** Dataproc and Databricks, each loaded on first use: a Databricks request never pays for Google's client, nor the reverse. */
  readonly backends: BackendLoader;
}

export function deployed(functionName: string): Deployed {
  const settings = embeddedSettings();
  const { config } = settings;
  const logger = new Logger({ serviceName: 'data-job-gateway', persistentKeys: { function: functionName } });
  const secrets = new SecretsManagerStore();

  const backends: Partial<Record<BackendName, () => Promise<JobBackend>>> = {};
  const dataproc = config.dataproc;
  if (dataproc) {
    backends.dataproc = async () => {
      const [{ DataprocBackend }, { createGoogleAuth }] = await Promise.all([import('../backends/dataproc.js'), import('../backends/google-credentials.js')]);
      const auth = createGoogleAuth({ credentials: dataproc.credentials, secrets, secretId: process.env[ENV.googleKeySecret] });
      return new DataprocBackend({ projectId: dataproc.projectId, region: dataproc.region, endpoint: dataproc.endpoint, serviceAccount: dataproc.credentials.serviceAccount, auth });
    };
  }
  const databricks = config.databricks;
  if (databricks) {
    backends.databricks = async () => {
      const { databricksBackendFromConfig } = await import('../backends/databricks.js');
      return databricksBackendFromConfig(databricks, secrets, requiredEnv(ENV.databricksSecret));
    };
  }

  return {
    settings,
    logger,
    metrics: createMetrics(),
    audit: new AuditTrail(logger),
    dynamo: new DynamoDBClient({}),
    tableName: requiredEnv(ENV.ledgerTable),
    secrets,
    backends: new BackendLoader(backends),
  };
}

/** The jobs service over a ledger; `keyedHash` only where jobs are submitted (the jobs function). */
export function deployedJobsService(d: Deployed, ledger: Ledger & ActiveSlots, keyedHash?: () => Promise<KeyedHash>): JobsService {
  return new JobsService({
    catalog: new TemplateCatalog(d.settings.templates),
    backends: d.backends,
    ledger,
    slots: ledger,
    audit: d.audit,
    access: d.settings.config.access,
    ...(keyedHash ? { keyedHash } : {}),
    metrics: new PowertoolsJobMetrics(d.metrics),
    log: { warn: (m, extra) => d.logger.warn(m, extra ?? {}) },
  });
}
