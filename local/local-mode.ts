// Local mode: the whole API on one machine. The functions are composed exactly as the Lambda entries compose them
// (lambda/compose/), with local adapters: every cloud piece is an emulator or embedded store unless the config points
// that section at the real thing.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Template } from '../contract/template.js';
import { assertGroupsAssertable, type GatewayConfig } from '../lib/config.js';
import { runtimeSettings } from '../lib/runtime-settings.js';
import { backendEntries } from '../lambda/adapters/backends.js';
import { DynamoLedger } from '../lambda/adapters/dynamodb/ledger.js';
import { DynamoRevocationStore } from '../lambda/adapters/dynamodb/revocations.js';
import { createLogger } from '../lambda/adapters/powertools/logger.js';
import { StaticSecretStore } from '../lambda/adapters/secrets-manager.js';
import { loadTemplateDir } from '../lambda/adapters/template-files.js';
import { createJwksFetcher } from '../lambda/authorizer/jwks-fetcher.js';
import { composeAdmin } from '../lambda/compose/admin.js';
import type { ApiAdapters } from '../lambda/compose/api.js';
import { composeAuthorizer } from '../lambda/compose/authorizer.js';
import { composeCatalog } from '../lambda/compose/catalog.js';
import { composeJobs } from '../lambda/compose/jobs.js';
import { composeApprovalSweep } from '../lambda/compose/reconciler.js';
import type { ApprovalSweep } from '../lambda/core/approvals/sweep.js';
import { FileApprovalEvents } from './approval-events-file.js';
import { AuditTrail, type AuditSink } from '../lambda/core/audit.js';
import type { JobsService } from '../lambda/core/jobs.js';
import { keyedHashFromSecret, type KeyedHash } from '../lambda/core/keyed-hash.js';
import type { RevocationService } from '../lambda/core/revocation-service.js';
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
  /** Where approval events go instead of EventBridge (config `local.eventsLogFile`). */
  readonly eventsLogFile: string;
  /** The reconciler's approval pass over this ledger (lambda/core/approvals/sweep.ts). */
  readonly approvalSweep: ApprovalSweep;
  stop(): Promise<void>;
}

/** The AWS identity local mode presents to Google's STS emulator, standing in for a Lambda role's credentials. */
const LOCAL_ROLE_ARN = 'arn:aws:sts::000000000000:assumed-role/data-job-gateway-jobs/local';
const LOCAL_DATABRICKS_PAT = 'dapi-local-0000000000000000000000000000';
const LOCAL_DATABRICKS_TOKEN_ID = 'local-token-0001';
/** The stand-in for the stack's MAC key secret. */
const MAC_KEY_SECRET = 'data-job-gateway/mac-key';

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
    const logger = createLogger('local', { logLevel });
    const auditLogFile = resolve(cwd, local.auditLogFile);
    mkdirSync(dirname(auditLogFile), { recursive: true });
    const fileSink: AuditSink = (line) => appendFileSync(auditLogFile, `${JSON.stringify(line)}\n`);
    const audit = new AuditTrail(logger, [fileSink, ...(options.auditSinks ?? [])]);

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

    const secrets = new StaticSecretStore(local.secrets);

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
      // The Dataproc emulator also serves the Cloud Storage JSON API, where driver output is read.
      if (dataproc) dp.storageEndpoint = dataproc.url;
    }

    // Databricks: the emulator knows one PAT, which local mode puts in the stand-in secret store, and the jobs run-now needs.
    let databricks: DatabricksEmulator | undefined;
    const databricksSecretId = config.databricks?.credentials.secretName ?? 'data-job-gateway/databricks';
    const databricksJobs = config.databricks && local.databricks.enabled ? emulatorJobs(local.databricks.jobs, templates) : [];
    if (config.databricks) {
      const db = config.databricks;
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
        secrets.set(databricksSecretId, JSON.stringify(secret));
      }
    }

    // The MAC key: `local.secrets` may name one (to keep fingerprints stable across restarts); otherwise one per start.
    if (!(MAC_KEY_SECRET in local.secrets)) secrets.set(MAC_KEY_SECRET, randomBytes(48).toString('base64url'));
    const keyedHash = keyedHashFromSecret(secrets, MAC_KEY_SECRET);

    // The same composition as the Lambda entries (lambda/compose/), with local mode's adapters.
    const settings = runtimeSettings(config, templates, cwd);
    const revocationStore = new DynamoRevocationStore(dynamo, tableName);
    const isRevoked = (issuer: string, subject: string) => revocationStore.isRevoked(issuer, subject);
    // Local mode's own URL, known once the gateway listens: links never come from the request's Host header.
    let url = '';
    const api: ApiAdapters = { audit, log: logger, isRevoked, baseUrl: () => url };
    const backends = backendEntries(config, {
      secrets,
      databricksSecretId,
      googleKeySecretId: config.dataproc?.credentials.type === 'service-account-key' ? (config.dataproc.credentials.secretName ?? 'data-job-gateway/google-sa-key') : undefined,
      aws: { region: LOCAL_AWS.region, credentials: async () => LOCAL_AWS.credentials },
    });
    const ledger = new DynamoLedger(dynamo, tableName);
    const eventsLogFile = resolve(cwd, local.eventsLogFile);
    const events = new FileApprovalEvents(eventsLogFile, LOCAL_AWS.region);
    const jobs = composeJobs(settings.jobs, { ...api, ledger, backends, keyedHash, events });
    const catalogFn = composeCatalog(settings.catalog, api);
    const admin = composeAdmin(settings.admin, { ...api, ledger, backends, events, revocations: revocationStore });
    // The reconciler's approval pass, run by whoever drives local mode's clock (tests; `npm start` runs it every minute).
    const approvalSweep = composeApprovalSweep(settings.reconciler, { rows: ledger, backends, audit, log: logger, keyedHash, events, isRevoked });
    const authorizer = composeAuthorizer(settings.authorizer, { audit, jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }), logger, isRevoked });
    const service = jobs.service;
    const revocations = admin.revocations;

    const gateway = await startLocalGateway({
      port: local.port,
      host: local.host,
      authorizer: (event) => authorizer(event),
      functions: { jobs: jobs.handler, catalog: catalogFn.handler, admin: admin.handler },
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
      eventsLogFile,
      approvalSweep,
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
