// A small stack holding what the Observability construct watches: a REST API stage, functions, the audit log group.
import { App, Stack } from 'aws-cdk-lib';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Observability, type ObservabilityProps } from '../../lib/constructs/observability.js';
import { CDK_FEATURE_FLAGS } from '../cdk/feature-flags.js';

export interface ObservedStack {
  readonly stack: Stack;
  readonly observability: Observability;
}

/** A stack in eu-west-1 with an API, four functions (and a rotation function rotating a PAT and a Google key, when asked) and the Observability construct. */
export function observedStack(overrides: Partial<Omit<ObservabilityProps, 'rotation'>> & { rotation?: boolean; env?: { account?: string; region?: string } } = {}): ObservedStack {
  const app = new App({ context: { ...CDK_FEATURE_FLAGS } });
  const { env = { account: '123456789012', region: 'eu-west-1' }, ...rest } = overrides;
  const stack = new Stack(app, 'Observed', { env });
  const auditLog = new LogGroup(stack, 'AuditLog');
  const api = new RestApi(stack, 'Api', { restApiName: 'TestGateway', deployOptions: { stageName: 'v1' } });
  api.root.addMethod('GET', new MockIntegration());
  const fn = (id: string) => new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => ({});') });
  const functions = { authorizer: fn('Authorizer'), catalog: fn('Catalog'), jobs: fn('Jobs'), admin: fn('Admin') };
  const { rotation, ...props } = rest;
  const observability = new Observability(stack, 'Observability', {
    name: 'TestGateway',
    auditLog,
    apiStage: api.deploymentStage,
    functions,
    rotation: rotation ? { function: fn('Rotation'), credentials: ['databricks-pat', 'google-service-account-key'] } : undefined,
    backends: ['dataproc', 'databricks'],
    ...props,
  });
  return { stack, observability };
}

/** 64-hex asset hashes change with every bundle; snapshots must not. */
const ASSET_HASH = /[0-9a-f]{64}/g;

/**
 * The dashboard body as an object: CloudFormation references inside it become `<Ref:LogicalId>` / `<GetAtt:LogicalId.Attr>`
 * and asset hashes `<asset-hash>`, so it can be snapshot-tested and searched.
 */
export function dashboardBody(template: { findResources(type: string): Record<string, any> }): any {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const body = dashboards[0].Properties.DashboardBody;
  const parts: unknown[] = body['Fn::Join'] ? body['Fn::Join'][1] : [body];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const ref = p as Record<string, any>;
      if (ref.Ref) return `<Ref:${ref.Ref}>`;
      if (ref['Fn::GetAtt']) return `<GetAtt:${ref['Fn::GetAtt'].join('.')}>`;
      return `<${JSON.stringify(ref).replace(/"/g, "'")}>`;
    })
    .join('')
    .replace(ASSET_HASH, '<asset-hash>');
  return JSON.parse(text);
}
