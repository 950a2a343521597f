// One Lambda function of the gateway: every function is bundled, logged and traced the same way.
import { join } from 'node:path';
import { Validations, type Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, ApplicationLogLevel, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The newest Node.js runtime aws-cdk-lib 2.276 offers (NODEJS_LATEST is an alias that can lag behind). */
export const GATEWAY_RUNTIME = Runtime.NODEJS_24_X;

/** Lets bundled CommonJS dependencies call `require` inside an ES module. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);";

export interface GatewayFunctionProps {
  /** Project root: where package-lock.json is and what bundle paths are relative to. */
  readonly projectRoot: string;
  /** Entry file, relative to `projectRoot`, e.g. `lambda/jobs/index.ts`. */
  readonly entry: string;
  readonly description: string;
  /** esbuild `define` value of `__GATEWAY_SETTINGS__` (see embedded-settings.ts). */
  readonly settingsDefine: string;
  /** The shared audit log group. */
  readonly logGroup: ILogGroup;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  /** @default a role of its own, made by `gatewayFunctionRole` */
  readonly role?: IRole;
}

/** A Lambda role that may write only to `logGroup` (instead of AWSLambdaBasicExecutionRole, which allows any log group). */
function gatewayFunctionRole(scope: Construct, id: string, logGroup: ILogGroup, description: string): Role {
  const role = new Role(scope, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description });
  logGroup.grantWrite(role);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level permissions.',
  });
  return role;
}

/** A NodejsFunction with the gateway's bundling: ESM, minified, source map beside the bundle (not loaded at run time), arm64, X-Ray, JSON logs into the audit log group. */
export class GatewayFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id, {
      role: props.role ?? gatewayFunctionRole(scope, `${id}Role`, props.logGroup, props.description),
      entry: join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: GATEWAY_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: props.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      // START/END/REPORT lines stay out of the audit log; Lambda's own metrics cover duration and errors.
      systemLogLevelV2: SystemLogLevel.WARN,
      // No NODE_OPTIONS=--enable-source-maps: Node would read and parse the .map at every cold start (bench/FINDINGS.md,
      // 2. Cold start). The map is still built into the asset (sourceMap below) for symbolicating a logged stack offline.
      environment: props.environment,
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK as well: the functions run the exact versions the tests ran.
        externalModules: [],
        define: { __GATEWAY_SETTINGS__: props.settingsDefine },
      },
    });
  }
}
