// The deployed wiring shared by the functions that act on jobs: AWS clients, ledger, backends and services, built once.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AuditTrail } from '../core/audit.js';
import type { BackendName, JobBackend } from '../core/backend.js';
import { TemplateCatalog } from '../core/catalog.js';
import { DynamoLedger } from '../core/dynamo-ledger.js';
import { JobsService } from '../core/jobs.js';
import { DynamoRevocationStore } from '../core/revocations.js';
import { SecretsManagerStore } from '../backends/secrets-manager.js';
import { createMetrics, PowertoolsJobMetrics } from '../edge/metrics.js';
import { embeddedSettings, ENV, requiredEnv, type GatewaySettings } from './settings.js';

export interface Deployed {
  readonly settings: GatewaySettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly audit: AuditTrail;
  readonly ledger: DynamoLedger;
  readonly revocations: DynamoRevocationStore;
  readonly service: JobsService;
}

export function deployed(functionName: string): Deployed {
  const settings = embeddedSettings();
  const { config } = settings;
  const logger = new Logger({ serviceName: 'data-job-gateway', persistentKeys: { function: functionName } });
  const metrics = createMetrics();
  const audit = new AuditTrail(logger);
  const dynamo = new DynamoDBClient({});
  const table = requiredEnv(ENV.ledgerTable);
  const ledger = new DynamoLedger(dynamo, table);
  const secrets = new SecretsManagerStore();

  // Backends load on first use: a Databricks request never pays for Google's client, nor the reverse.
  const backends: Partial<Record<BackendName, () => Promise<JobBackend>>> = {};
  const dataproc = config.dataproc;
  if (dataproc) {
    backends.dataproc = async () => {
      const [{ DataprocBackend }, { createGoogleAuth }] = await Promise.all([import('../backends/dataproc.js'), import('../backends/google-credentials.js')]);
      const auth = createGoogleAuth({ credentials: dataproc.credentials, secrets, secretId: process.env[ENV.googleKeySecret] });
      return new DataprocBackend({ projectId: dataproc.projectId, region: dataproc.region, endpoint: dataproc.endpoint, auth });
    };
  }
  const databricks = config.databricks;
  if (databricks) {
    backends.databricks = async () => {
      const { databricksBackendFromConfig } = await import('../backends/databricks.js');
      return databricksBackendFromConfig(databricks, secrets, requiredEnv(ENV.databricksSecret));
    };
  }

  const service = new JobsService({
    catalog: new TemplateCatalog(settings.templates),
    backends,
    ledger,
    slots: ledger,
    audit,
    access: config.access,
    metrics: new PowertoolsJobMetrics(metrics),
    log: { warn: (m, extra) => logger.warn(m, extra ?? {}) },
  });
  return { settings, logger, metrics, audit, ledger, revocations: new DynamoRevocationStore(dynamo, table), service };
}
