// The dashboard's widgets, row by row: traffic, who was refused and why, jobs by backend and template (the graphs of
// contract/signals.ts), the functions, backend latency and rotations, then the audit trail itself (Logs Insights) and the alarms.
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
import { SIGNAL_GRAPHS, type GraphSeries, type SignalGraph } from '../../contract/signals.js';
import {
  apiClientErrors,
  apiIntegrationLatency,
  apiLatency,
  apiRequests,
  apiServerErrors,
  functionDuration,
  functionErrors,
  functionInvocations,
  functionThrottles,
  signalSearch,
} from './metrics.js';

export interface DashboardInputs {
  /** The gateway's name (config `name`): names the saved-query folder shown in the header. */
  readonly name: string;
  readonly stage: Stage;
  /** Every function to graph, by short name (the rotation function too, when there is one). */
  readonly functions: Readonly<Record<string, IFunction>>;
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

/** A graph of the gateway's signals, as contract/signals.ts describes it. */
const signalGraph = (g: SignalGraph) => {
  const lines = (list: readonly GraphSeries[]) => list.map((s) => signalSearch(s.signal, s.set, s.statistic, s.label));
  return graph(g.title, g.width, lines(g.left), { right: g.right && lines(g.right), stacked: g.stacked });
};
const signalGraphs = (row: SignalGraph['row']) => SIGNAL_GRAPHS.filter((g) => g.row === row).map(signalGraph);

/** Rows of widgets, top to bottom. */
export function dashboardRows(inputs: DashboardInputs): IWidget[][] {
  const { stage } = inputs;
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

  const functions = [
    graph('Function errors', 6, each(functionErrors)),
    graph('Function throttles', 6, each(functionThrottles)),
    graph('Function duration p99 (ms)', 6, each((fn, name) => functionDuration(fn, name, 99))),
    graph('Function invocations', 6, each(functionInvocations)),
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

  return [[header], traffic, signalGraphs('refusals-and-jobs'), functions, signalGraphs('backends-and-credentials'), auditTrail, [alarms]];
}
