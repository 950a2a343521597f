// The REST API: the routes of contract/routes.ts behind a Lambda REQUEST authorizer, validated, throttled, logged and traced.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  ApiKeySourceType,
  AuthorizationType,
  DomainName,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestAuthorizer,
  ResponseType,
  RestApi,
  SecurityPolicy,
  type MethodDeploymentOptions,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GATEWAY_RESPONSES } from '../gateway-responses.js';
import { RESOURCES, ROUTES, type ApiFunction, type Route } from '../../contract/routes.js';
import { accessLogFormat } from './access-log-format.js';
import { InvalidSetting } from './invalid-setting.js';
import { retentionDays } from './log-retention.js';

export interface Throttle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed in a burst. */
  readonly burstLimit: number;
}

export interface CustomDomain {
  readonly name: string;
  /** ACM certificate in the stack's region, covering `name`. */
  readonly certificateArn: string;
  /** `s3://bucket/key` of the PEM bundle of client CA certificates; enables mutual TLS. @default no mutual TLS */
  readonly truststoreUri?: string;
  /** S3 object version of the truststore. @default the latest version */
  readonly truststoreVersion?: string;
}

export interface GatewayApiProps {
  /** Shown in the console and used in resource names. */
  readonly name: string;
  /** The Lambda REQUEST authorizer (Authorization header as identity source). */
  readonly authorizer: IFunction;
  /**
   * How long API Gateway caches an authorizer decision per Authorization header; zero disables the cache.
   * @default 300 seconds (config `auth.authorizerCacheTtlSeconds`)
   */
  readonly authorizerCacheTtl: Duration;
  /** The function that serves each route's `function`. */
  readonly routeHandler: (name: ApiFunction) => IFunction;
  /** Stage-wide throttling. @default 50 rps, burst 100 (config `api.throttle`) */
  readonly throttle: Throttle;
  /** Per-route throttling, keyed `"METHOD /path"` as in contract/routes.ts. @default none */
  readonly routeThrottles?: Readonly<Record<string, Throttle>>;
  /** A usage plan with a daily quota; callers then need an API key (`x-api-key`) as well as a token. @default none */
  readonly usagePlan?: { readonly quotaPerDay: number };
  /** A custom domain; when set, the default execute-api endpoint is disabled. @default none */
  readonly domain?: CustomDomain;
  /** Encrypts the access and execution log groups. */
  readonly logKey: IKey;
  /** Days to keep the access log (an audit record). */
  readonly accessLogRetentionDays: number;
  /** Days to keep API Gateway's execution log (for debugging). */
  readonly executionLogRetentionDays: number;
  /** @default ROUTES from contract/routes.ts */
  readonly routes?: readonly Route[];
}

/** Stage name in execute-api URLs (`https://<id>.execute-api.<region>.amazonaws.com/v1/...`). */
export const STAGE_NAME = 'v1';

export class GatewayApi extends Construct {
  readonly restApi: RestApi;
  readonly authorizer: RequestAuthorizer;
  readonly accessLogGroup: LogGroup;
  readonly executionLogGroup: LogGroup;
  readonly domain?: DomainName;
  readonly usagePlan?: UsagePlan;
  private readonly customDomainName?: string;

  constructor(scope: Construct, id: string, props: GatewayApiProps) {
    super(scope, id);
    const routes = props.routes ?? ROUTES;
    const methodOptions = routeMethodOptions(routes, props.routeThrottles ?? {});

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: retentionDays(props.accessLogRetentionDays, '/observability/auditRetentionDays'),
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.restApi = new RestApi(this, 'Resource', {
      restApiName: props.name,
      description: 'Data Job Gateway: identity-aware front door for Dataproc and Databricks jobs',
      endpointTypes: [EndpointType.REGIONAL],
      // With a custom domain (and its mutual TLS), that domain must be the only way in.
      disableExecuteApiEndpoint: props.domain !== undefined,
      apiKeySourceType: props.usagePlan ? ApiKeySourceType.HEADER : undefined,
      // Execution logging needs API Gateway's account-wide CloudWatch role; kept on destroy because other APIs may rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        ...LOGGING,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        methodOptions,
      },
    });

    // The stack's ApiUrl output names the right URL (the custom domain when there is one).
    this.restApi.node.tryRemoveChild('Endpoint');

    // API Gateway writes execution logs to this fixed name; creating it first sets their retention and key.
    this.executionLogGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${STAGE_NAME}`,
      retention: retentionDays(props.executionLogRetentionDays, '/api/executionLogRetentionDays'),
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.restApi.deploymentStage.node.addDependency(this.executionLogGroup);

    this.authorizer = new RequestAuthorizer(this, 'Authorizer', {
      authorizerName: `${props.name}-oidc`,
      handler: props.authorizer,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: props.authorizerCacheTtl,
    });

    this.addRoutes(routes, props);
    this.addGatewayResponses();

    if (props.usagePlan) {
      this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
        name: `${props.name}-daily`,
        description: 'Daily quota per API key; add each team key with `aws apigateway create-usage-plan-key`',
        throttle: props.throttle,
        quota: { limit: props.usagePlan.quotaPerDay, period: Period.DAY },
        apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      });
    }
    if (props.domain) {
      this.domain = this.addDomain(props.domain);
      this.customDomainName = props.domain.name;
    }
    this.acknowledgeNagFindings(routes);
  }

  /** The base URL callers use: the custom domain when there is one. */
  get url(): string {
    return this.customDomainName ? `https://${this.customDomainName}/` : this.restApi.url;
  }

  /**
   * The same URL without a trailing slash, for the functions' links and OpenAPI `servers`. It names the stage by its
   * name, not by a reference to the Stage resource: the stage depends on the methods, which depend on the functions,
   * so a reference would be a dependency cycle.
   */
  get baseUrl(): string {
    if (this.customDomainName) return `https://${this.customDomainName}`;
    const stack = Stack.of(this);
    return `https://${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE_NAME}`;
  }

  private addRoutes(routes: readonly Route[], props: GatewayApiProps): void {
    const integrations = new Map<ApiFunction, LambdaIntegration>();
    // One invoke permission per function (not per method) keeps the functions' resource policies small.
    const integration = (name: ApiFunction) =>
      integrations.get(name) ?? integrations.set(name, new LambdaIntegration(props.routeHandler(name), { scopePermissionToMethod: false })).get(name)!;
    // No request validator or models: the handlers validate bodies with the same schemas and answer one `errors[]` entry
    // per field, where API Gateway could only say "Invalid request body" (its validationErrorString cannot be embedded
    // in JSON safely, see lib/gateway-responses.ts).
    for (const route of routes) {
      this.restApi.root.resourceForPath(route.path).addMethod(route.method, integration(route.function), {
        operationName: route.summary,
        authorizationType: route.public ? AuthorizationType.NONE : AuthorizationType.CUSTOM,
        authorizer: route.public ? undefined : this.authorizer,
        apiKeyRequired: props.usagePlan !== undefined && !route.public,
      });
    }
    // API Gateway answers a method a resource lacks with 403 MISSING_AUTHENTICATION_TOKEN; an ANY method takes every
    // method not defined explicitly, and the function answers 405 with Allow from the route table before any identity
    // is looked at (lambda/http/api-handler.ts). https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    for (const resource of RESOURCES.filter((r) => routes.some((route) => route.path === r.path))) {
      this.restApi.root.resourceForPath(resource.path).addMethod('ANY', integration(resource.function), {
        operationName: 'Method not allowed (405)',
        authorizationType: AuthorizationType.NONE,
        apiKeyRequired: false,
      });
    }
  }

  private addGatewayResponses(): void {
    for (const spec of GATEWAY_RESPONSES) {
      this.restApi.addGatewayResponse(pascal(spec.type), {
        type: ResponseType.of(spec.type),
        statusCode: spec.statusCode === undefined ? undefined : String(spec.statusCode),
        responseHeaders: spec.headers,
        templates: { 'application/json': spec.template },
      });
    }
  }

  private addDomain(domain: CustomDomain): DomainName {
    const truststore = domain.truststoreUri ? parseS3Uri(domain.truststoreUri) : undefined;
    return new DomainName(this, 'Domain', {
      domainName: domain.name,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
      mtls: truststore && {
        bucket: Bucket.fromBucketName(this, 'Truststore', truststore.bucket),
        key: truststore.key,
        version: domain.truststoreVersion,
      },
      mapping: this.restApi,
    });
  }

  private acknowledgeNagFindings(routes: readonly Route[]): void {
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'API Gateway\'s account-wide logging role: this AWS managed policy is the one API Gateway documents for it.',
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'The handlers validate every request body against the same JSON Schemas and answer 400/422 with one errors[] entry per field; API Gateway validation could only answer a generic 400.',
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers hold tokens from any configured OIDC issuer (Okta, Entra ID, Cognito...); a Lambda REQUEST authorizer verifies them, which a Cognito user pool authorizer cannot.',
    });
    for (const resource of RESOURCES.filter((r) => routes.some((route) => route.path === r.path))) {
      const method = this.restApi.root.resourceForPath(resource.path).node.findChild('ANY');
      for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
        Validations.of(method).acknowledge({ id, reason: `ANY ${resource.path} only answers 405 with the methods the resource allows; it reads no identity and no data.` });
      }
    }
    for (const route of routes.filter((r) => r.public)) {
      const method = this.restApi.root.resourceForPath(route.path).node.findChild(route.method);
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${route.method} ${route.path} is public by design: it describes the API and reveals no data.`,
      });
    }
  }
}

/** Stage-wide execution logging: errors and info, never request or response bodies (they can carry tokens and parameters). */
const LOGGING = { loggingLevel: MethodLoggingLevel.INFO, dataTraceEnabled: false, metricsEnabled: false } as const;

/** Method settings for each route throttle, keyed as API Gateway's `/{resource path}/{METHOD}`. */
export function routeMethodOptions(routes: readonly Route[], throttles: Readonly<Record<string, Throttle>>): Record<string, MethodDeploymentOptions> {
  const options: Record<string, MethodDeploymentOptions> = {};
  for (const [key, throttle] of Object.entries(throttles)) {
    const route = routes.find((r) => `${r.method} ${r.path}` === key);
    if (!route) {
      throw new InvalidSetting('/api/routeThrottles', `names "${key}", which is not a route; routes are: ${routes.map((r) => `"${r.method} ${r.path}"`).join(', ')}`);
    }
    // A method setting replaces the stage's for that method, so it repeats the logging settings.
    options[`${route.path}/${route.method}`] = { ...LOGGING, throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };
  }
  return options;
}

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new InvalidSetting('/api/domain/truststoreUri', `must be s3://bucket/key (got ${JSON.stringify(uri)})`);
  return { bucket: match[1]!, key: match[2]! };
}

const pascal = (s: string) => s.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
