// The deployed gateway, composed as in docs/architecture.md's request path: client → API (+ WAF) → authorizer → functions → ledger,
// backends' credentials and audit log; then what watches it: dashboard, alarms, credential rotation, reconciliation.
import { CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GatewayConfig } from './config.js';
import type { Template } from '../contract/template.js';
import { LEDGER_TABLE } from '../contract/ledger-table.js';
import { ENV } from '../contract/settings.js';
import { GatewayApi } from './constructs/api.js';
import { AuditLog } from './constructs/audit-log.js';
import { GatewayFirewall } from './constructs/firewall.js';
import { GatewayFunctions } from './constructs/functions.js';
import { Ledger } from './constructs/ledger.js';
import { MacKey } from './constructs/mac-key.js';
import { Observability } from './constructs/observability.js';
import { ReconcilerSchedule } from './constructs/reconciler.js';
import { SecretRotation } from './constructs/rotation.js';
import { grantSecretValue } from './constructs/secret-value-grant.js';
import { grantApprovalEvents } from './constructs/approval-events.js';
import { GatewaySecrets } from './constructs/secrets.js';
import { BACKEND_NAMES, type BackendName } from '../contract/backends.js';

export interface DataJobGatewayStackProps extends StackProps {
  /** The validated config (lib/config.ts `loadConfigFile`). */
  readonly config: GatewayConfig;
  /** The validated templates (lambda/core/template-loader.ts `loadTemplateDir`), bundled into every function. */
  readonly templates: readonly Template[];
  /** @default the repository root */
  readonly projectRoot?: string;
}

export class DataJobGatewayStack extends Stack {
  readonly auditLog: AuditLog;
  readonly ledger: Ledger;
  readonly secrets: GatewaySecrets;
  readonly functions: GatewayFunctions;
  /** The deployment's MAC key, readable by the jobs function only. */
  readonly macKey: MacKey;
  readonly api: GatewayApi;
  readonly firewall?: GatewayFirewall;
  readonly observability: Observability;
  readonly rotations: readonly SecretRotation[];

  constructor(scope: Construct, id: string, props: DataJobGatewayStackProps) {
    super(scope, id, { description: 'Data Job Gateway: identity-aware API for Dataproc and Databricks jobs', ...props });
    const { config } = props;
    if (config.auth.issuers.length === 0) {
      Validations.of(this).addWarning('NoIssuers', 'auth.issuers is empty: the deployed API will accept no token (local.identityProvider exists only in local mode).');
    }

    // Every decision, from every function, lands in one encrypted, credential-masked log group.
    this.auditLog = new AuditLog(this, 'AuditLog', {
      retentionDays: config.observability.auditRetentionDays,
      kmsKeyArn: config.observability.auditKmsKeyArn,
    });

    // Jobs (reserved before submission, for exactly-once) and revocations.
    this.ledger = new Ledger(this, 'Ledger', config.ledger);

    // Backend credentials: Databricks always; Google only in service-account-key mode (Workload Identity needs none).
    const google = config.dataproc?.credentials;
    this.secrets = new GatewaySecrets(this, 'Secrets', {
      databricks: config.databricks?.credentials,
      googleServiceAccountKey: google?.type === 'service-account-key' ? { secretName: google.secretName } : undefined,
    });
    // Unset means "rotate what there is"; lib/config.ts refuses `enabled: true` when there is nothing to rotate.
    const rotated = config.rotation.enabled !== false ? this.secrets.rotatable : [];

    this.functions = new GatewayFunctions(this, 'Functions', {
      config,
      templates: props.templates,
      logGroup: this.auditLog.logGroup,
      environment: { [ENV.ledgerTable]: this.ledger.table.tableName, ...this.secrets.environment },
      rotation: rotated.length > 0,
      projectRoot: props.projectRoot,
    });

    this.grantLeastPrivilege();
    // Request hashes, principal labels, personal fingerprints and sealed parameters are keyed: the key is the jobs
    // function's, and the reconciler's to send approved jobs a crash left unsent.
    const keyReaders = [this.functions.jobs, ...(this.functions.reconciler ? [this.functions.reconciler] : [])];
    this.macKey = new MacKey(this, 'MacKey', { readers: keyReaders.map((f) => f.role!) });
    for (const fn of keyReaders) fn.addEnvironment(ENV.macKeySecret, this.macKey.secret.secretArn);
    // Approval requests and decisions go to the default event bus, for teams to route to chat or e-mail with a rule.
    for (const fn of [this.functions.jobs, this.functions.admin, ...(this.functions.reconciler ? [this.functions.reconciler] : [])]) grantApprovalEvents(fn);

    // client ──HTTPS──▶ (WAF) ──▶ API Gateway ── authorizer ──▶ catalog | jobs | admin
    this.api = new GatewayApi(this, 'Api', {
      name: config.name,
      authorizer: this.functions.authorizer,
      authorizerCacheTtl: Duration.seconds(config.auth.authorizerCacheTtlSeconds),
      routeHandler: (name) => this.functions.routeHandler(name),
      throttle: config.api.throttle,
      routeThrottles: config.api.routeThrottles,
      usagePlan: config.api.usagePlan,
      domain: config.api.domain,
      logKey: this.auditLog.key,
      accessLogRetentionDays: config.observability.auditRetentionDays,
      executionLogRetentionDays: config.api.executionLogRetentionDays,
    });
    // Links and the OpenAPI servers come from the stage's own URL, never from a request's Host header.
    for (const fn of [this.functions.catalog, this.functions.jobs, this.functions.admin]) fn.addEnvironment(ENV.apiBaseUrl, this.api.baseUrl);
    if (config.api.waf?.enabled) {
      this.firewall = new GatewayFirewall(this, 'Firewall', {
        name: config.name,
        stage: this.api.restApi.deploymentStage,
        rateLimitPer5Minutes: config.api.waf.rateLimitPer5Minutes,
      });
    } else {
      Validations.of(this.api.restApi.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'api.waf.enabled is not set in the config: the API relies on its authorizer, throttling and the handlers\' request validation alone.',
      });
    }

    // Dashboard, alarms and saved audit queries.
    const { authorizer, catalog, jobs, admin, reconciler, rotation } = this.functions;
    this.observability = new Observability(this, 'Observability', {
      name: config.name,
      auditLog: this.auditLog.logGroup,
      apiStage: this.api.restApi.deploymentStage,
      functions: { authorizer, catalog, jobs, admin, ...(reconciler ? { reconciler } : {}) },
      // One alarm per rotated credential's failed steps, one on the function's errors no such failure explains.
      rotation: rotation ? { function: rotation, credentials: rotated.map((s) => s.credential) } : undefined,
      backends: BACKEND_NAMES.filter((b): b is BackendName => config[b] !== undefined),
      alarmTopicArn: config.observability.alarmTopicArn,
    });

    // Credentials rotate on a schedule (the alarms when a rotation fails are above); AWSCURRENT keeps working either way.
    this.rotations = rotated.map(
      (s) =>
        new SecretRotation(this, `${s.id}Rotation`, {
          secret: s.secret,
          function: rotation!,
          interval: Duration.days(config.rotation.intervalDays),
          tokenLifetime: s.rotation === 'expiring' ? Duration.days(config.rotation.tokenLifetimeDays) : undefined,
        }),
    );
    this.secrets.acknowledgeUnrotated(rotated, 'rotation.enabled is false in the config: the platform team rotates these credentials by hand.');
    if (rotation) {
      Validations.of(rotation.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'secretsmanager:GetRandomPassword (granted with every rotation schedule) and the X-Ray tracing actions have no resource-level permissions.',
      });
    }

    // Reservations a crash left unconfirmed are settled against the backend every few minutes.
    if (reconciler) new ReconcilerSchedule(this, 'ReconcilerSchedule', { function: reconciler, every: Duration.minutes(config.reconciler.everyMinutes) });

    this.addOutputs();
  }

  /**
   * Each function may make only the AWS calls its code makes, on the ledger rows it needs (docs/deploy.md "What each
   * function may do"; test/cdk/least-privilege.test.ts derives the calls from each function's imports and compares).
   */
  private grantLeastPrivilege(): void {
    const { authorizer, catalog, jobs, admin, reconciler } = this.functions;
    const { job, slots, revocation } = LEDGER_TABLE.keyPrefixes;
    // Both only check revocations.
    for (const fn of [authorizer, catalog]) this.ledger.grantItems(fn, ['GetItem'], [revocation]);
    // jobs: reserve, confirm, update and (when a limit refuses it) discard job rows; claim and free slots; list by principal.
    this.ledger.grantItems(jobs, ['GetItem'], [job, slots, revocation]);
    this.ledger.grantItems(jobs, ['PutItem', 'DeleteItem'], [job]);
    this.ledger.grantItems(jobs, ['UpdateItem'], [job, slots]);
    this.ledger.grantIndexQuery(jobs, 'principalIndex');
    // GET /approvals lists the jobs awaiting approval from the sparse pending index.
    this.ledger.grantIndexQuery(jobs, 'pendingIndex');
    // admin: write revocations, and cancel the revoked principal's jobs (updating their rows and freeing their slots).
    this.ledger.grantItems(admin, ['GetItem'], [job, revocation]);
    this.ledger.grantItems(admin, ['PutItem', 'DeleteItem'], [revocation]);
    this.ledger.grantItems(admin, ['UpdateItem'], [job, slots, revocation]);
    this.ledger.grantIndexQuery(admin, 'principalIndex');
    // reconciler: settle pending job rows, never create or delete one.
    if (reconciler) {
      this.ledger.grantItems(reconciler, ['GetItem', 'UpdateItem'], [job]);
      // An approved job is not sent for a submitter revoked since.
      this.ledger.grantItems(reconciler, ['GetItem'], [revocation]);
      this.ledger.grantIndexQuery(reconciler, 'pendingIndex');
    }
    for (const fn of this.functions.backendCallers) for (const s of this.secrets.all) grantSecretValue(s.secret, fn);
  }

  private addOutputs(): void {
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('ApiUrl', this.api.url, 'Base URL of the gateway API');
    out('AuditLogGroupName', this.auditLog.logGroup.logGroupName, 'Audit log group (npm run audit -- --log-group)');
    out('AccessLogGroupName', this.api.accessLogGroup.logGroupName, 'API Gateway access log group');
    out('LedgerTableName', this.ledger.table.tableName, 'DynamoDB ledger table');
    out(
      'BackendRoleArns',
      Fn.join(',', this.functions.backendCallers.map((f) => f.role!.roleArn)),
      'Roles of the functions that call the backends (jobs, admin, reconciler), comma-separated: the AWS identities Google Workload Identity Federation must trust',
    );
    if (this.secrets.databricks) out('DatabricksSecretArn', this.secrets.databricks.secretArn, 'Put the Databricks credential JSON here');
    if (this.secrets.googleServiceAccountKey) out('GoogleServiceAccountKeySecretArn', this.secrets.googleServiceAccountKey.secretArn, 'Put the Google service-account key JSON here');
    out('AlarmTopicArn', this.observability.alarmTopic.topicArn, 'Alarms notify this topic: subscribe the on-call');
    if (this.api.usagePlan) out('UsagePlanId', this.api.usagePlan.usagePlanId, 'Add API keys to this usage plan');
    if (this.api.domain) {
      out('DomainTarget', this.api.domain.domainNameAliasDomainName, 'Point the custom domain (CNAME or alias) here');
      out('DomainHostedZoneId', this.api.domain.domainNameAliasHostedZoneId, 'Hosted zone of DomainTarget, for a Route 53 alias');
    }
  }
}
