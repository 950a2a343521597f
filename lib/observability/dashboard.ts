// The dashboard's widgets, row by row: traffic, who was refused and why, jobs by backend and template,
// the functions, rotations, then the audit trail itself (Logs Insights) and the alarms.
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  AlarmStatusWidget,
  GraphWidget,
  GraphWidgetView,
  LogQueryVisualizationType,
  LogQueryWidget,
  TextWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { AUDIT_QUERIES } from '../../contract/audit-queries.js';
import type { BackendName } from '../../contract/backends.js';
import {
  apiClientErrors,
  apiIntegrationLatency,
  apiLatency,
  apiRequests,
  apiServerErrors,
  authorizerDenialsByReason,
  backendLatency,
  functionDuration,
  functionErrors,
  functionInvocations,
  functionThrottles,
  jobsCancelledByTemplate,
  jobsSubmitted,
  jobsSubmittedByTemplate,
  secretRotationFailures,
  secretRotations,
  submitFailures,
  submitFailuresByTemplate,
  type GatewayMetricSource,
} from './metrics.js';

export interface DashboardInputs {
  /** The gateway's name (config `name`): names the saved-query folder shown in the header. */
  readonly name: string;
  readonly stage: Stage;
  readonly metrics: GatewayMetricSource;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly rotationFunction?: IFunction;
  readonly backends: readonly BackendName[];
  readonly auditLogGroupName: string;
  readonly alarms: readonly IAlarm[];
}

const FULL = 24;
const GRAPH_HEIGHT = 6;

const graph = (title: string, width: number, left: IMetric[], options: { right?: IMetric[]; stacked?: boolean; leftLabel?: string } = {}) =>
  new GraphWidget({
    title,
    width,
    height: GRAPH_HEIGHT,
    left,
    right: options.right,
    stacked: options.stacked,
    view: GraphWidgetView.TIME_SERIES,
    leftYAxis: { min: 0, label: options.leftLabel, showUnits: false },
    rightYAxis: options.right ? { min: 0, showUnits: false } : undefined,
  });

/** Rows of widgets, top to bottom. */
export function dashboardRows(inputs: DashboardInputs): IWidget[][] {
  const { stage, metrics: src, backends } = inputs;
  const fns = Object.entries(inputs.functions);
  const each = (metric: (fn: IFunction, label: string) => IMetric) => fns.map(([name, fn]) => metric(fn, name));

  const header = new TextWidget({
    width: FULL,
    height: 2,
    markdown: [
      `# ${inputs.name}: requests, refusals, jobs and the audit trail`,
      `Saved Logs Insights queries are in the \`${inputs.name}/\` folder; from a terminal: \`npm run audit -- who-ran <jobId>\`, \`npm run audit -- principal <subject> --since 7d\`, \`npm run audit -- denied --since 24h\`.`,
    ].join('\n\n'),
  });

  const traffic = [
    graph('API requests', 8, [apiRequests(stage)]),
    graph('API 4xx and 5xx', 8, [apiClientErrors(stage), apiServerErrors(stage)]),
    graph('API latency (ms)', 8, [apiLatency(stage, 50), apiLatency(stage, 99), apiIntegrationLatency(stage, 99)]),
  ];

  const jobs = [
    graph('Authorizer denials by reason', 6, [authorizerDenialsByReason(src)], { stacked: true }),
    graph('Submissions and failures by backend', 6, backends.map((b) => jobsSubmitted(src, b)), { right: backends.map((b) => submitFailures(src, b)) }),
    graph('Submissions by template', 6, [jobsSubmittedByTemplate(src)], { stacked: true }),
    graph('Submit failures and cancellations by template', 6, [submitFailuresByTemplate(src)], { right: [jobsCancelledByTemplate(src)] }),
  ];

  const functions = [
    graph('Function errors', 6, each(functionErrors)),
    graph('Function throttles', 6, each(functionThrottles)),
    graph('Function duration p99 (ms)', 6, each((fn, name) => functionDuration(fn, name, 99))),
    graph('Function invocations', 6, each(functionInvocations)),
  ];

  const rotation = inputs.rotationFunction;
  const backendsAndRotation = [
    graph('Backend latency p99 (ms)', 12, backends.flatMap((b) => (['submit', 'get', 'cancel'] as const).map((op) => backendLatency(src, b, op)))),
    graph('Secret rotations', 12, [secretRotations(src), ...(rotation ? [functionInvocations(rotation, 'rotation attempts')] : [])], {
      right: [secretRotationFailures(src), ...(rotation ? [functionErrors(rotation, 'rotation errors')] : [])],
    }),
  ];

  const auditTrail = [
    new LogQueryWidget({
      title: 'Recent submissions (audit log)',
      width: 12,
      height: 8,
      logGroupNames: [inputs.auditLogGroupName],
      queryString: AUDIT_QUERIES.submissions.queryString,
      view: LogQueryVisualizationType.TABLE,
    }),
    new LogQueryWidget({
      title: 'Recent denials (audit log)',
      width: 12,
      height: 8,
      logGroupNames: [inputs.auditLogGroupName],
      queryString: AUDIT_QUERIES.denied.queryString,
      view: LogQueryVisualizationType.TABLE,
    }),
  ];

  const alarms = new AlarmStatusWidget({ title: 'Alarms', width: FULL, height: 3, alarms: [...inputs.alarms] });

  return [[header], traffic, jobs, functions, backendsAndRotation, auditTrail, [alarms]];
}
