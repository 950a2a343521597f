// The deployed gateway, composed as in DESIGN.md's request path: client → API (+ WAF) → authorizer → functions → ledger, secrets, audit log.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GatewayConfig } from './config.js';
import { REQUEST_BODY_SCHEMAS } from '../lambda/core/api-schemas.js';
import type { Template } from '../lambda/core/template.js';
import { ENV } from '../lambda/runtime/settings.js';
import { GatewayApi } from './constructs/api.js';
import { AuditLog } from './constructs/audit-log.js';
import { GatewayFirewall } from './constructs/firewall.js';
import { GatewayFunctions } from './constructs/functions.js';
import { Ledger } from './constructs/ledger.js';
import { GatewaySecrets } from './constructs/secrets.js';

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
  readonly api: GatewayApi;
  readonly firewall?: GatewayFirewall;

  constructor(scope: Construct, id: string, props: DataJobGatewayStackProps) {
    super(scope, id, { description: 'Data Job Gateway: identity-aware API for Dataproc and Databricks jobs', ...props });
    const { config } = props;

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
    const rotates = config.rotation.enabled && (this.secrets.databricks !== undefined || this.secrets.googleServiceAccountKey !== undefined);

    this.functions = new GatewayFunctions(this, 'Functions', {
      config,
      templates: props.templates,
      logGroup: this.auditLog.logGroup,
      environment: { [ENV.ledgerTable]: this.ledger.table.tableName, ...this.secrets.environment },
      rotation: rotates,
      projectRoot: props.projectRoot,
    });

    // Least privilege: the authorizer reads revocations; jobs and admin write the ledger; only jobs reads credentials.
    this.ledger.grantReadData(this.functions.authorizer);
    this.ledger.grantReadWriteData(this.functions.jobs);
    this.ledger.grantReadWriteData(this.functions.admin);
    this.secrets.grantRead(this.functions.jobs);
    if (this.functions.rotation) this.secrets.addRotation(this.functions.rotation, Duration.days(config.rotation.intervalDays));

    // client ──HTTPS──▶ API Gateway ── authorizer ──▶ catalog | jobs | admin
    this.api = new GatewayApi(this, 'Api', {
      name: config.name,
      authorizer: this.functions.authorizer,
      authorizerCacheTtl: Duration.seconds(config.auth.authorizerCacheTtlSeconds),
      routeHandler: (name) => this.functions.routeHandler(name),
      bodySchemas: REQUEST_BODY_SCHEMAS,
      throttle: config.api.throttle,
      routeThrottles: config.api.routeThrottles,
      usagePlan: config.api.usagePlan,
      domain: config.api.domain,
      logKey: this.auditLog.key,
      accessLogRetentionDays: config.observability.auditRetentionDays,
      executionLogRetentionDays: config.functions.logRetentionDays,
    });
    if (config.api.waf?.enabled) {
      this.firewall = new GatewayFirewall(this, 'Firewall', {
        name: config.name,
        stage: this.api.restApi.deploymentStage,
        rateLimitPer5Minutes: config.api.waf.rateLimitPer5Minutes,
      });
    }

    this.addOutputs();
  }

  private addOutputs(): void {
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('ApiUrl', this.api.url, 'Base URL of the gateway API');
    out('AuditLogGroupName', this.auditLog.logGroup.logGroupName, 'Audit log group (npm run audit -- --log-group)');
    out('AccessLogGroupName', this.api.accessLogGroup.logGroupName, 'API Gateway access log group');
    out('LedgerTableName', this.ledger.table.tableName, 'DynamoDB ledger table');
    out('JobsFunctionRoleArn', this.functions.jobs.role!.roleArn, 'Role whose AWS identity Google Workload Identity Federation must trust');
    if (this.secrets.databricks) out('DatabricksSecretArn', this.secrets.databricks.secretArn, 'Put the Databricks credential JSON here');
    if (this.secrets.googleServiceAccountKey) out('GoogleServiceAccountKeySecretArn', this.secrets.googleServiceAccountKey.secretArn, 'Put the Google service-account key JSON here');
    if (this.api.usagePlan) out('UsagePlanId', this.api.usagePlan.usagePlanId, 'Add API keys to this usage plan');
    if (this.api.domain) {
      out('DomainTarget', this.api.domain.domainNameAliasDomainName, 'Point the custom domain (CNAME or alias) here');
      out('DomainHostedZoneId', this.api.domain.domainNameAliasHostedZoneId, 'Hosted zone of DomainTarget, for a Route 53 alias');
    }
  }
}
