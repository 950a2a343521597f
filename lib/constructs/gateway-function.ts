// One Lambda function of the gateway: every function is bundled, logged and traced the same way.
import { join } from 'node:path';
import { Validations, type Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
}

/** A NodejsFunction with the gateway's bundling: ESM, minified, source maps, arm64, X-Ray, JSON logs into the audit log group. */
export class GatewayFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (writes only to the audit log group)`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group): write access to the one group the function logs to.
    props.logGroup.grantWrite(role);
    super(scope, id, {
      role,
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
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
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
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level permissions.',
    });
  }
}
