import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ACCESS_LOG_FIELDS } from '../../lib/constructs/access-log-format.js';
import { routeMethodOptions, STAGE_NAME } from '../../lib/constructs/api.js';
import { InvalidSetting } from '../../lib/constructs/invalid-setting.js';
import { GATEWAY_RESPONSES } from '../../lib/gateway-responses.js';
import { RESOURCES, ROUTES } from '../../contract/routes.js';
import { buildStack, testConfig } from './fixtures.js';

const functionRef = (name: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^Functions${name}[0-9A-F]{8}$`), 'Arn'] });
const capitalized = (s: string) => s[0]!.toUpperCase() + s.slice(1);

describe('GatewayApi', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN a config with a route throttle and an authorizer cache of 120 s; WHEN the stack is built
    ({ template } = buildStack(
      testConfig((raw) => {
        raw.auth.authorizerCacheTtlSeconds = 120;
        raw.api = { throttle: { rateLimit: 40, burstLimit: 80 }, routeThrottles: { 'POST /jobs/{id}/cancel': { rateLimit: 2, burstLimit: 4 } } };
      }),
    ));
  });

  it('is a regional REST API whose execute-api endpoint stays on without a custom domain', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, DisableExecuteApiEndpoint: false });
  });

  it('verifies tokens with a REQUEST authorizer on the Authorization header, cached for the configured TTL', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 120,
      AuthorizerUri: { 'Fn::Join': ['', Match.arrayWith([functionRef('Authorizer')])] },
    });
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('routes %s to its function, behind the authorizer unless public', (_name, route) => {
    const methods = template.findResources('AWS::ApiGateway::Method', {
      Properties: {
        HttpMethod: route.method,
        AuthorizationType: route.public ? 'NONE' : 'CUSTOM',
        Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::Join': ['', Match.arrayWith([functionRef(capitalized(route.function))])] } },
      },
    });
    const paths = Object.values(methods).map((m) => m.Properties.ResourceId.Ref as string);
    // The resource's logical id is derived from its path, e.g. /jobs/{id}/cancel → Apijobsidcancel…
    expect(paths).toContainEqual(expect.stringMatching(new RegExp(`^Api${route.path.replace(/[^A-Za-z0-9]/g, '')}[0-9A-F]{8}$`)));
  });

  it.each(RESOURCES.map((r) => [r.path, r] as const))('sends any other method on %s to its function without the authorizer, for a 405 with Allow', (path, resource) => {
    const methods = template.findResources('AWS::ApiGateway::Method', {
      Properties: {
        HttpMethod: 'ANY',
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::Join': ['', Match.arrayWith([functionRef(capitalized(resource.function))])] } },
      },
    });
    const paths = Object.values(methods).map((m) => m.Properties.ResourceId.Ref as string);
    expect(paths).toContainEqual(expect.stringMatching(new RegExp(`^Api${path.replace(/[^A-Za-z0-9]/g, '')}[0-9A-F]{8}$`)));
  });

  it('leaves request bodies to the handlers, which validate them and name each bad field', () => {
    template.resourceCountIs('AWS::ApiGateway::Model', 0);
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    template.allResourcesProperties('AWS::ApiGateway::Method', { RequestValidatorId: Match.absent(), RequestModels: Match.absent() });
  });

  it.each(GATEWAY_RESPONSES.map((r) => [r.type, r] as const))('answers %s as problem+json', (_type, spec) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: spec.type,
      StatusCode: spec.statusCode === undefined ? Match.absent() : String(spec.statusCode),
      ResponseTemplates: { 'application/json': spec.template },
      ResponseParameters: Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [`gatewayresponse.header.${k}`, v])),
    });
  });

  it('sets no status on DEFAULT_4XX and DEFAULT_5XX, so every type they stand in for keeps its own (415, 504, ...)', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: type, StatusCode: Match.absent() });
    }
  });

  it('throttles the stage and each configured route, logs execution without bodies, and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: STAGE_NAME,
      TracingEnabled: true,
      MethodSettings: [
        { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80, LoggingLevel: 'INFO', DataTraceEnabled: false, MetricsEnabled: false },
        { HttpMethod: 'POST', ResourcePath: '/~1jobs~1{id}~1cancel', ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4, LoggingLevel: 'INFO', DataTraceEnabled: false, MetricsEnabled: false },
      ],
    });
  });

  it('writes one JSON access log line per request with the principal, authorizer error and latencies', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0]!;
    const format: string = stage.Properties.AccessLogSetting.Format;
    // API Gateway fills each $context variable; with sample values the line must be JSON with the principal nested.
    const line = JSON.parse(format.replace(/\$context\.[A-Za-z.]+/g, (v) => (v === '$context.status' || v === '$context.responseLatency' ? '200' : 'x')));
    expect(Object.keys(line)).toEqual(Object.keys(ACCESS_LOG_FIELDS));
    expect(format).toContain('"principal":{"issuer":"$context.authorizer.issuer","subject":"$context.authorizer.subject","kind":"$context.authorizer.kind"}');
    for (const v of ['$context.authorizer.error', '$context.authorizer.latency', '$context.responseLatency', '$context.status', '$context.requestId']) expect(format).toContain(v);
    // the log group's ARN without the trailing `:*`, as API Gateway stores it (@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard)
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({ 'Fn::Join': ['', ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: expect.stringMatching(/^ApiAccessLogs/) }]] });
  });

  it('keeps the access log as long as the audit log and the execution log for the configured days, both encrypted', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogKey'), 'Arn'] }, LogGroupName: Match.absent(), DataProtectionPolicy: Match.absent() },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^Api') }, `/${STAGE_NAME}`]] },
      RetentionInDays: 30,
      KmsKeyId: Match.anyValue(),
    });
  });

  it('grants API Gateway one invoke permission per function, scoped to this API', () => {
    for (const fn of ['Catalog', 'Jobs', 'Admin']) {
      expect(Object.keys(template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: functionRef(fn), Principal: 'apigateway.amazonaws.com' } }))).toHaveLength(1);
    }
  });

  it('creates no usage plan, API keys requirement or custom domain unless configured', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.allResourcesProperties('AWS::ApiGateway::Method', { ApiKeyRequired: false });
  });
});

describe('GatewayApi options', () => {
  it('with a usage plan, requires an API key on every non-public route and applies a daily quota', () => {
    // GIVEN / WHEN
    const { template } = buildStack(testConfig((raw) => (raw.api = { usagePlan: { quotaPerDay: 5000 } })));

    // THEN
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'HEADER' });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Quota: { Limit: 5000, Period: 'DAY' }, Throttle: { RateLimit: 50, BurstLimit: 100 } });
    for (const route of ROUTES) {
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: route.method, AuthorizationType: route.public ? 'NONE' : 'CUSTOM', ApiKeyRequired: !route.public });
    }
  });

  it('with a custom domain and truststore, serves mutual TLS there and disables the execute-api endpoint', () => {
    // GIVEN / WHEN
    const { template } = buildStack(
      testConfig(
        (raw) =>
          (raw.api = {
            domain: {
              name: 'jobs.data.example.com',
              certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
              truststoreUri: 's3://acme-pki/gateway/truststore.pem',
              truststoreVersion: '3',
            },
          }),
      ),
    );

    // THEN
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'jobs.data.example.com',
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: 's3://acme-pki/gateway/truststore.pem', TruststoreVersion: '3' },
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { Stage: { Ref: Match.stringLikeRegexp('^ApiDeploymentStage') } });
    template.hasOutput('ApiUrl', { Value: 'https://jobs.data.example.com/' });
    template.hasOutput('DomainTarget', Match.anyValue());
  });

  it('without an authorizer cache, asks the authorizer on every request', () => {
    const { template } = buildStack(testConfig((raw) => (raw.auth.authorizerCacheTtlSeconds = 0)));
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });

  it('fails when a route throttle names a route that does not exist, listing the routes', () => {
    // GIVEN a throttle key in the right shape for a route the API lacks
    const config = testConfig((raw) => (raw.api = { routeThrottles: { 'DELETE /jobs/{id}': { rateLimit: 1, burstLimit: 1 } } }));

    // WHEN / THEN
    expect(() => buildStack(config)).toThrow(InvalidSetting);
    expect(() => routeMethodOptions(ROUTES, config.api.routeThrottles)).toThrow(
      /^\/api\/routeThrottles names "DELETE \/jobs\/\{id\}", which is not a route; routes are: "GET \/templates", /,
    );
  });

  it('fails when the execution log retention is not one CloudWatch Logs offers', () => {
    const config = testConfig((raw) => (raw.api = { executionLogRetentionDays: 45 }));
    expect(() => buildStack(config)).toThrow(/^\/api\/executionLogRetentionDays must be a retention CloudWatch Logs offers \(got 45/);
  });
});
