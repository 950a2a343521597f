// What auditors and operators look at: one dashboard, alarms to an SNS topic, and the saved audit queries.
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnQueryDefinition, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AUDIT_QUERY_LIST, type AuditQueryName } from '../../contract/audit-queries.js';
import { BACKEND_NAMES, type BackendName } from '../../contract/backends.js';
import type { RotatedCredential } from '../../contract/signals.js';
import { alarmSpecs, CDK_ALARM_SHAPE } from '../observability/alarms.js';
import { dashboardRows } from '../observability/dashboard.js';
import { InvalidSetting } from './invalid-setting.js';

export interface ObservabilityProps {
  /** The gateway's name (config `name`): the prefix of the dashboard's name (`<name>-<region>`) and of alarm names, the saved-query folder. */
  readonly name: string;
  /** The audit log group every function writes to (AuditLog.logGroup). */
  readonly auditLog: ILogGroup;
  /** The API's stage (`GatewayApi.restApi.deploymentStage`): its ApiName and Stage metrics. */
  readonly apiStage: Stage;
  /** Functions to graph and watch for throttles, by short name: `{ authorizer, catalog, jobs, admin }`. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * The Secrets Manager rotation function and the credentials it rotates in this stack: one alarm per credential's
   * failed rotation steps, one on the function's errors that no such failure explains, and its graphs.
   * @default no rotation alarms
   */
  readonly rotation?: { readonly function: IFunction; readonly credentials: readonly RotatedCredential[] };
  /**
   * The backends this gateway submits to: one submit-failure alarm each.
   * @default both
   */
  readonly backends?: readonly BackendName[];
  /**
   * An existing SNS topic for alarm notifications, in the stack's region (config `observability.alarmTopicArn`).
   * @default a new topic, encrypted with a new KMS key; subscribe to it (`alarmTopic.topicArn`)
   */
  readonly alarmTopicArn?: string;
}

export class Observability extends Construct {
  readonly dashboard: Dashboard;
  /** Where every alarm notifies (and says OK again). */
  readonly alarmTopic: ITopic;
  readonly alarms: readonly Alarm[];
  /** The saved Logs Insights queries, by the CLI command that runs the same query. */
  readonly queries: Readonly<Record<AuditQueryName, CfnQueryDefinition>>;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    validateName(props.name);
    if (Object.keys(props.functions).length === 0) throw new InvalidSetting('functions', 'must name at least one function to watch');
    const backends = props.backends ?? BACKEND_NAMES;
    const rotation = props.rotation;

    this.alarmTopic = props.alarmTopicArn ? this.importTopic(props.alarmTopicArn) : this.createTopic(props.name);
    const notify = new SnsAction(this.alarmTopic);
    this.alarms = alarmSpecs({
      stage: props.apiStage,
      functions: props.functions,
      watched: rotation ? { rotation: rotation.function } : {},
      deployed: { backend: backends, credential: rotation?.credentials ?? [] },
    }).map((spec) => {
      const alarm = new Alarm(this, spec.id, {
        ...CDK_ALARM_SHAPE,
        metric: spec.metric,
        alarmName: `${props.name}-${spec.nameSuffix}`,
        alarmDescription: spec.description,
        threshold: spec.threshold,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      return alarm;
    });

    // L1: the L2 QueryDefinition cannot declare the {{parameter}} placeholders the console asks for.
    this.queries = Object.fromEntries(
      AUDIT_QUERY_LIST.map((q) => [
        q.name,
        new CfnQueryDefinition(this, `Query${pascal(q.name)}`, {
          name: `${props.name}/${q.title}`,
          queryString: q.queryString,
          logGroupNames: [props.auditLog.logGroupName],
          parameters: q.parameters.length ? q.parameters.map((p) => ({ name: p.name, description: p.description })) : undefined,
        }),
      ]),
    ) as Record<AuditQueryName, CfnQueryDefinition>;

    this.dashboard = new Dashboard(this, 'Resource', {
      // Dashboards are account-wide, not regional: the same config deployed in two regions must not share one.
      dashboardName: dashboardName(props.name, Stack.of(this).region),
      defaultInterval: Duration.hours(6),
      widgets: dashboardRows({
        name: props.name,
        stage: props.apiStage,
        functions: { ...props.functions, ...(rotation ? { rotation: rotation.function } : {}) },
        auditLogGroupName: props.auditLog.logGroupName,
        alarms: this.alarms,
      }),
    });
  }

  private importTopic(arn: string): ITopic {
    const stack = Stack.of(this);
    if (!Token.isUnresolved(arn)) {
      const { service, region } = Arn.split(arn, ArnFormat.NO_RESOURCE_NAME);
      if (service !== 'sns') throw new InvalidSetting('/observability/alarmTopicArn', `must be an SNS topic ARN (got ${JSON.stringify(arn)})`);
      // CloudWatch alarms can only notify a topic in their own region.
      if (region && !Token.isUnresolved(stack.region) && region !== stack.region) {
        throw new InvalidSetting('/observability/alarmTopicArn', `is in ${region}, but alarms in ${stack.region} can only notify a topic in ${stack.region} (got ${JSON.stringify(arn)})`);
      }
    }
    return Topic.fromTopicArn(this, 'AlarmTopic', arn);
  }

  private createTopic(name: string): Topic {
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    // CloudWatch publishes as a service principal, so both the topic policy and the key policy must allow it: IAM
    // policies cannot. The key grant is the documented one, without conditions; the key encrypts nothing but this topic.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const key = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the ${name} alarm topic`,
      enableKeyRotation: true,
      // Nothing encrypted with it outlives the topic.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(cloudwatch, 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'AlarmTopic', { displayName: `${name} alarms`, masterKey: key, enforceSSL: true });
    // enforceSSL writes a topic policy that replaces SNS's default one and holds only its deny: without this allow,
    // every alarm fails with "... is not authorized to perform: SNS:Publish". Only this account's alarms may publish.
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
    // (Not grantPublish: it would copy these conditions into the key policy, where CloudWatch's use is not documented to carry them.)
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    return topic;
  }
}

/** `<name>-<region>`, checked against CloudWatch's rule: A-Z, a-z, 0-9, - and _, at most 255 characters.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html */
function dashboardName(name: string, region: string): string {
  const dashboard = `${name}-${region}`;
  if (!Token.isUnresolved(dashboard) && !/^[A-Za-z0-9_-]{1,255}$/.test(dashboard)) {
    throw new InvalidSetting('/name', `with the region makes ${JSON.stringify(dashboard)}, which CloudWatch refuses as a dashboard name (A-Z, a-z, 0-9, - and _, at most 255)`);
  }
  return dashboard;
}

function validateName(name: string): void {
  if (Token.isUnresolved(name)) return;
  // At most 200 leaves room for the region in the dashboard name and for the alarm names' suffixes.
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(name)) throw new InvalidSetting('/name', `must be letters, digits, - or _ (at most 200) to name the dashboard and alarms (got ${JSON.stringify(name)})`);
}

const pascal = (s: string) => s.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
