// The gateway's functions, one per concern, each with a role of its own: the stack grants each exactly the AWS calls
// its code makes (docs/deploy.md "What each function may do"). jobs, admin and reconciler reach the backends.
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { GatewayConfig } from '../config.js';
import type { ApiFunction } from '../../contract/routes.js';
import type { Template } from '../../contract/template.js';
import { checkBackendsConfigured, settingsDefine } from './embedded-settings.js';
import { runtimeSettings } from '../runtime-settings.js';
import type { FunctionName } from '../../contract/settings.js';
import { GatewayFunction } from './gateway-function.js';

/** The repository root, found from this file rather than the working directory so that tests and `cdk synth` agree. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Rotation talks to Databricks and Google IAM several times per step; API functions are capped by API Gateway's 29 s. */
const ROTATION_TIMEOUT = Duration.minutes(2);

export interface GatewayFunctionsProps {
  /** The validated config: sizes the functions and is embedded in every bundle. */
  readonly config: GatewayConfig;
  /** The validated templates, embedded in every bundle. */
  readonly templates: readonly Template[];
  /** The audit log group every function logs to. */
  readonly logGroup: ILogGroup;
  /** Deploy-time resource names (ledger table, secrets), per lambda/runtime/settings.ts `ENV`. */
  readonly environment: Record<string, string>;
  /**
   * Create the secret rotation function (when the stack holds a Databricks credential or a Google key).
   * @default false
   */
  readonly rotation?: boolean;
  /** @default the repository root */
  readonly projectRoot?: string;
}

export class GatewayFunctions extends Construct {
  /** The Lambda REQUEST authorizer: verifies tokens, returns the principal as authorizer context. */
  readonly authorizer: GatewayFunction;
  /** `GET /templates`, `GET /templates/{id}`, `GET /openapi.json`. */
  readonly catalog: GatewayFunction;
  /** `/jobs` routes and `POST /audit/fingerprints`: submits to and queries the backends. */
  readonly jobs: GatewayFunction;
  /** `/admin` routes: revoking a principal also cancels its active jobs, so it calls the backends too. */
  readonly admin: GatewayFunction;
  /** Settles reservations the backend never confirmed, on a schedule; present when `reconciler.enabled`. */
  readonly reconciler?: GatewayFunction;
  /** The Secrets Manager rotation function, when `rotation` is set. */
  readonly rotation?: GatewayFunction;

  constructor(scope: Construct, id: string, props: GatewayFunctionsProps) {
    super(scope, id);
    const { config } = props;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    // Each bundle embeds only its own function's settings.
    const settings = runtimeSettings(config, props.templates, projectRoot);
    checkBackendsConfigured(config, settings.jobs.templates);
    const apiTimeout = Duration.seconds(config.functions.timeoutSeconds);
    const fn = (fnId: string, name: FunctionName, description: string, options: { timeout?: Duration } = {}) =>
      new GatewayFunction(this, fnId, {
        projectRoot,
        entry: `lambda/${name}/index.ts`,
        description: `${config.name}: ${description}`,
        settingsDefine: settingsDefine(settings[name]),
        logGroup: props.logGroup,
        memorySize: config.functions.memorySize,
        timeout: options.timeout ?? apiTimeout,
        // No POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE: the code passes both from contract/signals.ts, and
        // Powertools prefers what the code passes, so a variable here could only disagree with what is emitted.
        environment: props.environment,
      });
    this.authorizer = fn('Authorizer', 'authorizer', 'verifies OIDC tokens for API Gateway');
    this.catalog = fn('Catalog', 'catalog', 'job templates and the OpenAPI document');
    this.jobs = fn('Jobs', 'jobs', 'submits, lists and cancels jobs');
    this.admin = fn('Admin', 'admin', 'principal revocations (cancels the revoked principal\'s jobs)');
    if (config.reconciler.enabled) {
      // A pass must end before the next one starts; five minutes is plenty for a page of pending rows.
      const timeout = Duration.minutes(Math.min(config.reconciler.everyMinutes, 5));
      this.reconciler = fn('Reconciler', 'reconciler', 'settles unconfirmed job reservations', { timeout });
    }
    if (props.rotation) this.rotation = fn('Rotation', 'rotation', 'rotates backend credentials', { timeout: ROTATION_TIMEOUT });
  }

  /**
   * The functions that call Dataproc and Databricks (jobs, admin, reconciler): each reads the backend credentials, and
   * each role is an AWS identity Google Workload Identity Federation must trust.
   */
  get backendCallers(): readonly GatewayFunction[] {
    return [this.jobs, this.admin, ...(this.reconciler ? [this.reconciler] : [])];
  }

  /** The function serving an API route. */
  routeHandler(name: ApiFunction): IFunction {
    return { catalog: this.catalog, jobs: this.jobs, admin: this.admin }[name];
  }
}
