// Local mode: the whole API on one machine. The deployed handlers run unchanged behind the local gateway; every cloud
// piece is an emulator or embedded store unless the config points that section at the real thing.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { assertGroupsAssertable, type GatewayConfig } from '../lib/config.js';
import { createAuthorizer } from '../lambda/authorizer/authorizer.js';
import { createJwksFetcher } from '../lambda/authorizer/jwks-fetcher.js';
import { DatabricksBackend } from '../lambda/backends/databricks.js';
import { DatabricksCredentials } from '../lambda/backends/databricks-credentials.js';
import { DataprocBackend } from '../lambda/backends/dataproc.js';
import { createGoogleAuth } from '../lambda/backends/google-credentials.js';
import { StaticSecretStore } from '../lambda/backends/secrets-manager.js';
import { createCatalogHandler } from '../lambda/catalog/handler.js';
import { AuditTrail, type AuditSink } from '../lambda/core/audit.js';
import type { BackendName, JobBackend } from '../lambda/core/backend.js';
import { TemplateCatalog } from '../lambda/core/catalog.js';
import { DynamoLedger } from '../lambda/core/dynamo-ledger.js';
import { JobOutputReader } from '../lambda/core/job-output.js';
import { JobsService } from '../lambda/core/jobs.js';
import { keyedHashFromSecret, type KeyedHash } from '../lambda/core/keyed-hash.js';
import type { Template } from '../lambda/core/template.js';
import { loadTemplateDir } from '../lambda/core/template-loader.js';
import { createJobsHandler } from '../lambda/jobs/handler.js';
import { createAdminHandler } from '../lambda/admin/handler.js';
import { DynamoRevocationStore } from '../lambda/core/revocations.js';
import { RevocationService } from '../lambda/core/revocation-service.js';
import { revocationGate } from '../lambda/edge/revocation-gate.js';
import { startLocalGateway, type AccessLogEntry, type LocalGateway } from './gateway.js';
import { startEmbeddedLedger, LOCAL_AWS, type EmbeddedLedger } from './embedded-ledger.js';
import { emulatorJobs, type EmulatorJob } from './databricks-jobs.js';
import { startDatabricksEmulator, type DatabricksEmulator } from './emulators/databricks.js';
import type { TaskSpec } from './emulators/databricks/requests.js';
import { startDataprocEmulator, type DataprocEmulator, type DataprocIam } from './emulators/dataproc.js';
import type { Clock } from './emulators/faults.js';
import { startGoogleTokenEmulator, type GoogleTokenEmulator } from './emulators/google-tokens.js';
import { localIssuerConfig, startIdentityProvider, type LocalIdentityProvider } from './idp/provider.js';

export interface LocalModeOptions {
  /** Where templatesDir and auditLogFile are resolved. @default process.cwd() */
  readonly cwd?: string;
  /** Templates to serve instead of reading templatesDir (tests). */
  readonly templates?: readonly Template[];
  /** Extra audit sinks, e.g. a test's capture. */
  readonly auditSinks?: readonly AuditSink[];
  /** Silence the Powertools loggers (tests); audit lines still reach the sinks and the audit file. */
  readonly quiet?: boolean;
  readonly onAccess?: (entry: AccessLogEntry) => void;
  /** IAM for the Dataproc emulator to enforce (tests of per-template service accounts). @default none: every caller may do everything */
  readonly dataprocIam?: DataprocIam;
  /** The emulators' clock: a test that steps it decides when jobs move on. @default the system clock */
  readonly clock?: Clock;
}

export interface LocalMode {
  readonly url: string;
  readonly config: GatewayConfig;
  readonly idp?: LocalIdentityProvider;
  readonly dataproc?: DataprocEmulator;
  readonly databricks?: DatabricksEmulator;
  readonly googleTokens?: GoogleTokenEmulator;
  /** The existing jobs the Databricks emulator was started with, and where each came from. */
  readonly databricksJobs: readonly EmulatorJob[];
  readonly ledger: { readonly endpoint?: string; readonly tableName: string; readonly store: DynamoLedger };
  readonly gateway: LocalGateway;
  readonly service: JobsService;
  readonly revocations: RevocationService;
  /** The MAC key in use (tests that compose their own service with the same ledger need the same key). */
  readonly keyedHash: () => Promise<KeyedHash>;
  readonly auditLogFile: string;
  stop(): Promise<void>;
}

/** The AWS identity local mode presents to Google's STS emulator, standing in for a Lambda role's credentials. */
const LOCAL_ROLE_ARN = 'arn:aws:sts::000000000000:assumed-role/data-job-gateway-jobs/local';
const LOCAL_DATABRICKS_PAT = 'dapi-local-0000000000000000000000000000';
const LOCAL_DATABRICKS_TOKEN_ID = 'local-token-0001';
/** The stand-in for the stack's MAC key secret. */
export const MAC_KEY_SECRET = 'data-job-gateway/mac-key';

export async function startLocalMode(input: GatewayConfig, options: LocalModeOptions = {}): Promise<LocalMode> {
  const cwd = options.cwd ?? process.cwd();
  const config: GatewayConfig = structuredClone(input);
  const local = config.local;
  const closers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  try {
    // Templates first: a bad template stops start-up before anything listens.
    const templates = options.templates ?? loadTemplateDir(resolve(cwd, config.templatesDir));
    const logLevel = options.quiet ? 'SILENT' : 'INFO';
    const logger = new Logger({ serviceName: 'data-job-gateway', logLevel });
    const auditLogFile = resolve(cwd, local.auditLogFile);
    mkdirSync(dirname(auditLogFile), { recursive: true });
    const fileSink: AuditSink = (line) => appendFileSync(auditLogFile, `${JSON.stringify(line)}\n`);
    const audit = new AuditTrail(new Logger({ serviceName: 'data-job-gateway', logLevel }), [fileSink, ...(options.auditSinks ?? [])]);

    // Identity: the local provider is trusted as one more issuer.
    let idp: LocalIdentityProvider | undefined;
    if (local.identityProvider.enabled) {
      idp = await startIdentityProvider({ port: local.identityProvider.port, host: local.host, audience: local.identityProvider.audience });
      closers.push(() => idp!.close());
      const issuer = localIssuerConfig(idp);
      config.auth.issuers = [...config.auth.issuers, issuer];
    }
    // The same check as bin/app.ts, against the issuers local mode trusts (its own provider may assert any group).
    assertGroupsAssertable(config, templates, configFileOf(input, cwd));

    // Ledger.
    let embedded: EmbeddedLedger | undefined;
    let dynamo: DynamoDBClient;
    let tableName = config.ledger.tableName ?? 'data-job-gateway-ledger';
    if (local.ledger.embedded) {
      embedded = await startEmbeddedLedger({ port: local.ledger.port, tableName });
      closers.push(() => embedded!.close());
      dynamo = embedded.client;
      tableName = embedded.tableName;
    } else {
      dynamo = new DynamoDBClient(config.ledger.endpoint ? { ...LOCAL_AWS, endpoint: config.ledger.endpoint } : {});
    }
    const ledger = new DynamoLedger(dynamo, tableName);

    const secrets = new StaticSecretStore(local.secrets);
    const backends: Partial<Record<BackendName, JobBackend>> = {};

    // Google: the token emulator stands in for STS and IAM Credentials, so the real external_account flow runs.
    let googleTokens: GoogleTokenEmulator | undefined;
    let dataproc: DataprocEmulator | undefined;
    if (config.dataproc) {
      const dp = config.dataproc;
      if (local.googleTokens.enabled) {
        const accounts = [dp.credentials.serviceAccount, ...templateServiceAccounts(templates)];
        googleTokens = await startGoogleTokenEmulator({
          port: local.googleTokens.port,
          host: local.host,
          awsCredentials: { [LOCAL_AWS.credentials.accessKeyId]: { secretAccessKey: LOCAL_AWS.credentials.secretAccessKey, arn: LOCAL_ROLE_ARN } },
          workloadIdentityAudiences: dp.credentials.type === 'workload-identity' ? [dp.credentials.audience] : [],
          impersonation: Object.fromEntries(accounts.map((sa) => [sa, ['*']])),
          // Key mode: the default account starts with one key, which local mode puts where the secret would be.
          serviceAccounts: dp.credentials.type === 'service-account-key' ? [{ email: dp.credentials.serviceAccount, initialKey: true }] : [],
        });
        closers.push(() => googleTokens!.close());
        if (dp.credentials.type === 'workload-identity') {
          dp.credentials.tokenUrl = googleTokens.stsTokenUrl;
          dp.credentials.iamCredentialsEndpoint = googleTokens.url;
        } else {
          dp.credentials.tokenUrl = googleTokens.oauthTokenUrl;
          dp.credentials.iamEndpoint = googleTokens.url;
          dp.credentials.iamCredentialsEndpoint = googleTokens.url;
          const [key] = googleTokens.serviceAccountKeys(dp.credentials.serviceAccount);
          secrets.set(dp.credentials.secretName ?? 'data-job-gateway/google-sa-key', JSON.stringify(key));
        }
      }
      if (local.dataproc.enabled) {
        dataproc = await startDataprocEmulator({
          port: local.dataproc.port,
          host: local.host,
          stepMs: local.dataproc.stepMs,
          faults: local.dataproc.faults,
          clock: options.clock,
          verifyToken: googleTokens ? (t) => googleTokens!.verifyAccessToken(t) : undefined,
          ...(options.dataprocIam && { iam: options.dataprocIam }),
        });
        closers.push(() => dataproc!.close());
        dp.endpoint = dataproc.url;
      }
      const googleAuth = createGoogleAuth({
        credentials: dp.credentials,
        secrets,
        secretId: dp.credentials.type === 'service-account-key' ? (dp.credentials.secretName ?? 'data-job-gateway/google-sa-key') : undefined,
        aws: { region: LOCAL_AWS.region, credentials: async () => LOCAL_AWS.credentials },
      });
      // The Dataproc emulator also serves the Cloud Storage JSON API, where driver output is read.
      const storageEndpoint = dataproc?.url;
      backends.dataproc = new DataprocBackend({ projectId: dp.projectId, region: dp.region, endpoint: dp.endpoint, storageEndpoint, serviceAccount: dp.credentials.serviceAccount, auth: (sa) => googleAuth(sa) });
    }

    // Databricks: the emulator knows one PAT, which local mode puts in the stand-in secret store, and the jobs run-now needs.
    let databricks: DatabricksEmulator | undefined;
    const databricksJobs = config.databricks && local.databricks.enabled ? emulatorJobs(local.databricks.jobs, templates) : [];
    if (config.databricks) {
      const db = config.databricks;
      const secretId = db.credentials.secretName ?? 'data-job-gateway/databricks';
      if (local.databricks.enabled) {
        databricks = await startDatabricksEmulator({
          port: local.databricks.port,
          stepMs: local.databricks.stepMs,
          faults: local.databricks.faults,
          clock: options.clock,
          initialTokens: [{ tokenId: LOCAL_DATABRICKS_TOKEN_ID, value: LOCAL_DATABRICKS_PAT, comment: 'local mode' }],
          oauthClients: [{ clientId: 'local-gateway', clientSecret: 'local-gateway-secret' }],
          jobs: databricksJobs.map((j) => ({ job_id: j.jobId, settings: { name: j.name, parameters: [...j.parameters], ...(j.tasks && { tasks: j.tasks as readonly TaskSpec[] }) } })),
        });
        closers.push(() => databricks!.close());
        db.host = databricks.url;
        const secret =
          db.credentials.type === 'pat'
            ? { host: databricks.url, token: LOCAL_DATABRICKS_PAT, tokenId: LOCAL_DATABRICKS_TOKEN_ID }
            : { host: databricks.url, clientId: 'local-gateway', clientSecret: 'local-gateway-secret' };
        secrets.set(secretId, JSON.stringify(secret));
      }
      const credentials = new DatabricksCredentials({ config: db.credentials, store: secrets, secretId, host: db.host });
      backends.databricks = new DatabricksBackend({ host: db.host, credentials, maxRetries: db.maxRetries });
    }

    // The MAC key: `local.secrets` may name one (to keep fingerprints stable across restarts); otherwise one per start.
    if (!(MAC_KEY_SECRET in local.secrets)) secrets.set(MAC_KEY_SECRET, randomBytes(48).toString('base64url'));
    const keyedHash = keyedHashFromSecret(secrets, MAC_KEY_SECRET);

    const catalog = new TemplateCatalog(templates);
    const service = new JobsService({ catalog, backends, ledger, slots: ledger, audit, access: config.access, keyedHash, log: { warn: (m, extra) => logger.warn(m, extra ?? {}) } });
    const logError = (message: string, err: unknown) => logger.error(message, err as Error);

    const revocationStore = new DynamoRevocationStore(dynamo, tableName);
    const isRevoked = (issuer: string, subject: string) => revocationStore.isRevoked(issuer, subject);
    const revocations = new RevocationService({ store: revocationStore, ledger, jobs: service, audit, access: config.access });

    const authorizer = createAuthorizer({
      auth: config.auth,
      audit,
      jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }),
      logger,
      isRevoked,
    });
    const refuseRevoked = revocationGate(isRevoked, audit);
    // Local mode's own URL, known once the gateway listens: links never come from the request's Host header.
    let url = '';
    const baseUrl = () => url;
    const output = new JobOutputReader({ jobs: service, audit });
    const jobs = createJobsHandler({ service, output, maxBodyBytes: config.api.maxBodyBytes, baseUrl, refuseRevoked, logError });
    const catalogHandler = createCatalogHandler({ catalog, baseUrl, refuseRevoked, logError });
    const admin = createAdminHandler({ revocations, refuseRevoked, maxBodyBytes: config.api.maxBodyBytes, baseUrl, logError });

    const gateway = await startLocalGateway({
      port: local.port,
      host: local.host,
      authorizer: (event) => authorizer(event),
      functions: { jobs: (e) => jobs(e), catalog: (e) => catalogHandler(e), admin: (e) => admin(e) },
      authorizerCacheTtlSeconds: config.auth.authorizerCacheTtlSeconds,
      throttle: config.api.throttle,
      routeThrottles: config.api.routeThrottles,
      onAccess: options.onAccess,
    });
    closers.push(() => gateway.close());
    url = gateway.url;

    return {
      url: gateway.url,
      config,
      idp,
      dataproc,
      databricks,
      googleTokens,
      databricksJobs,
      ledger: { endpoint: embedded?.endpoint ?? config.ledger.endpoint, tableName, store: ledger },
      gateway,
      service,
      revocations,
      keyedHash,
      auditLogFile,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The config file a loaded config came from (loadConfigFile records it), as the user named it. */
function configFileOf(config: GatewayConfig, cwd: string): string {
  const file = (config as { sourceFile?: unknown }).sourceFile;
  return typeof file === 'string' ? relative(cwd, file) : '<config>';
}

function templateServiceAccounts(templates: readonly Template[]): string[] {
  return templates.flatMap((t) => (t.dataproc?.serviceAccount ? [t.dataproc.serviceAccount] : []));
}
