// CloudWatch's side of an alarm, for tests: the datapoints CloudWatch extracts from embedded-metric-format lines, and the
// state an alarm of a synthesized template reaches over them. Written from the documentation, cited where it decides:
// - EMF: each dimension set of a directive is a metric of its own; dimension values are strings found at the root.
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// - A metric is its namespace, name and exact set of dimensions: a query names all of them or matches nothing.
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
// - Metric math (+ - * /, comparisons, IF, FILL); FILL fills a missing value where the other series have one.
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
// - Evaluation: the last EvaluationPeriods periods, ALARM when DatapointsToAlarm of them breach; TreatMissingData says
//   what a period without a value counts as. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html

export interface Datapoint {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly value: number;
  readonly unit?: string;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A template value as a plain string: literals as they are, `{Ref: X}` as `ref:X` (what the deployed name resolves from). */
export function templateValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Ref' in value) return `ref:${String((value as { Ref: unknown }).Ref)}`;
  throw new Error(`cannot resolve ${JSON.stringify(value)} in an alarm's metric`);
}

// ── EMF ─────────────────────────────────────────────────────────────────────────────────────────

/** The datapoints CloudWatch Logs extracts from these log lines; lines that are not EMF are ordinary logs. */
export function emfDatapoints(lines: readonly string[]): Datapoint[] {
  return lines.flatMap((line) => {
    let doc: Record<string, any>;
    try {
      doc = JSON.parse(line);
    } catch {
      return [];
    }
    const aws = doc?._aws;
    if (!aws?.CloudWatchMetrics) return [];
    if (!Number.isInteger(aws.Timestamp)) throw new Error(`EMF line without an integer Timestamp: ${line}`);
    return (aws.CloudWatchMetrics as any[]).flatMap((directive) =>
      (directive.Dimensions as string[][]).flatMap((set) => {
        if (set.length > 30) throw new Error(`EMF dimension set of ${set.length} keys (30 at most): ${line}`);
        const dimensions = Object.fromEntries(
          set.map((key) => {
            if (typeof doc[key] !== 'string') throw new Error(`EMF dimension ${key} is not a string at the root: ${line}`);
            return [key, doc[key] as string];
          }),
        );
        return (directive.Metrics as { Name: string; Unit?: string }[]).flatMap((m) => {
          const raw = doc[m.Name];
          const values: unknown[] = Array.isArray(raw) ? raw : [raw];
          return values.map((value) => {
            if (typeof value !== 'number') throw new Error(`EMF metric ${m.Name} has no numeric value: ${line}`);
            return { namespace: directive.Namespace as string, metric: m.Name, dimensions, timestamp: aws.Timestamp as number, value, unit: m.Unit };
          });
        });
      }),
    );
  });
}

// ── The alarm, as the template declares it ──────────────────────────────────────────────────────

interface MetricQuery {
  readonly id: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly periodSeconds: number;
  readonly unit?: string;
}

export interface TemplateAlarm {
  /** AlarmName, or the logical id when CloudFormation names it. */
  readonly name: string;
  readonly queries: readonly MetricQuery[];
  /** The math expression whose value the alarm compares, when it is not a single metric. */
  readonly expression?: string;
  readonly periodSeconds: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
}

/** Every AWS::CloudWatch::Alarm of a synthesized template. */
export function templateAlarms(template: { Resources: Record<string, any> }): TemplateAlarm[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, r]) => {
      const p = r.Properties;
      const dims = (list: { Name: string; Value: unknown }[] = []) => Object.fromEntries(list.map((d) => [d.Name, templateValue(d.Value)]));
      const common = {
        name: p.AlarmName ?? logicalId,
        threshold: p.Threshold,
        comparison: p.ComparisonOperator,
        evaluationPeriods: p.EvaluationPeriods,
        datapointsToAlarm: p.DatapointsToAlarm ?? p.EvaluationPeriods,
        treatMissingData: p.TreatMissingData ?? 'missing',
      };
      if (p.MetricName) {
        const query = { id: 'm', namespace: p.Namespace, metric: p.MetricName, dimensions: dims(p.Dimensions), stat: p.Statistic ?? p.ExtendedStatistic, periodSeconds: p.Period, unit: p.Unit };
        return { ...common, queries: [query], periodSeconds: p.Period };
      }
      const queries = (p.Metrics as any[])
        .filter((m) => m.MetricStat)
        .map((m) => ({ id: m.Id, namespace: m.MetricStat.Metric.Namespace, metric: m.MetricStat.Metric.MetricName, dimensions: dims(m.MetricStat.Metric.Dimensions), stat: m.MetricStat.Stat, periodSeconds: m.MetricStat.Period, unit: m.MetricStat.Unit }));
      const returned = (p.Metrics as any[]).filter((m) => m.ReturnData !== false);
      if (returned.length !== 1) throw new Error(`${common.name}: an alarm returns exactly one time series, this one ${returned.length}`);
      const periods = new Set(queries.map((q) => q.periodSeconds));
      if (periods.size !== 1) throw new Error(`${common.name}: the metrics of one alarm must share a period`);
      return { ...common, queries, expression: returned[0].Expression ?? returned[0].Id, periodSeconds: [...periods][0]! };
    });
}

// ── Evaluation ──────────────────────────────────────────────────────────────────────────────────

type Value = number | undefined;

/** One statistic of the datapoints of one metric in one period; undefined when the period holds none. */
function statistic(stat: string, values: readonly number[]): Value {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const sum = values.reduce((a, b) => a + b, 0);
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (percentile) return sorted[Math.max(0, Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1)];
  switch (stat) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return values.length;
    case 'Average':
      return sum / values.length;
    case 'Minimum':
      return sorted[0];
    case 'Maximum':
      return sorted.at(-1);
    default:
      throw new Error(`statistic ${stat} is not modelled`);
  }
}

const sameDimensions = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
};

function queryValue(q: MetricQuery, datapoints: readonly Datapoint[], start: number, end: number): Value {
  const values = datapoints
    .filter((d) => d.namespace === q.namespace && d.metric === q.metric && sameDimensions(d.dimensions, q.dimensions))
    .filter((d) => q.unit === undefined || d.unit === q.unit)
    .filter((d) => d.timestamp >= start && d.timestamp < end)
    .map((d) => d.value);
  return statistic(q.stat, values);
}

/** The alarm's state at `at` (epoch ms), evaluated over the periods that end with the one holding `at`. */
export function evaluateAlarm(alarm: TemplateAlarm, datapoints: readonly Datapoint[], at: number): AlarmState {
  const period = alarm.periodSeconds * 1000;
  const lastEnd = Math.floor(at / period) * period + period;
  const values: Value[] = [];
  for (let i = alarm.evaluationPeriods - 1; i >= 0; i--) {
    const end = lastEnd - i * period;
    const byId = new Map(alarm.queries.map((q) => [q.id, queryValue(q, datapoints, end - period, end)]));
    values.push(alarm.expression === undefined ? byId.get(alarm.queries[0]!.id) : evaluateExpression(alarm.expression, byId));
  }
  const missing = values.filter((v) => v === undefined).length;
  if (missing === values.length && (alarm.treatMissingData === 'missing' || alarm.treatMissingData === 'ignore')) return 'INSUFFICIENT_DATA';
  const breaching = values.filter((v) => (v === undefined ? alarm.treatMissingData === 'breaching' : breaches(alarm.comparison, v, alarm.threshold))).length;
  return breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
}

function breaches(comparison: string, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new Error(`comparison ${comparison} is not modelled`);
  }
}

/**
 * A metric math expression over one period. With no data in any metric it names there is no timestamp to compute
 * at, so no value (FILL cannot make one up); otherwise a missing operand makes arithmetic missing and FILL replaces it.
 */
export function evaluateExpression(expression: string, metrics: ReadonlyMap<string, Value>): Value {
  const tokens = expression.match(/\s*(>=|<=|==|!=|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/(),<>])/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`cannot read metric math ${JSON.stringify(expression)}`);
  const named = tokens.filter((t) => metrics.has(t));
  if (named.length > 0 && named.every((id) => metrics.get(id) === undefined)) return undefined;

  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new Error(`metric math ${JSON.stringify(expression)}: expected ${expected ?? 'more'} at ${i}`);
    return t;
  };
  const arith = (a: Value, b: Value, f: (x: number, y: number) => number): Value => (a === undefined || b === undefined ? undefined : f(a, b));

  // Each parser returns a thunk, so IF evaluates only the branch it takes.
  type Thunk = () => Value;
  const comparison = (): Thunk => {
    const left = additive();
    const op = peek();
    if (op && ['>=', '<=', '>', '<', '==', '!='].includes(op)) {
      take();
      const right = additive();
      const cmp: Record<string, (x: number, y: number) => boolean> = { '>=': (x, y) => x >= y, '<=': (x, y) => x <= y, '>': (x, y) => x > y, '<': (x, y) => x < y, '==': (x, y) => x === y, '!=': (x, y) => x !== y };
      return () => arith(left(), right(), (x, y) => (cmp[op]!(x, y) ? 1 : 0));
    }
    return left;
  };
  const additive = (): Thunk => {
    let left = term();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const l = left;
      const r = term();
      left = () => arith(l(), r(), (x, y) => (op === '+' ? x + y : x - y));
    }
    return left;
  };
  const term = (): Thunk => {
    let left = factor();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      const l = left;
      const r = factor();
      left = () => arith(l(), r(), (x, y) => (op === '*' ? x * y : y === 0 ? NaN : x / y));
    }
    return left;
  };
  const factor = (): Thunk => {
    const t = take();
    if (t === '(') {
      const inner = comparison();
      take(')');
      return inner;
    }
    if (t === '-') {
      const inner = factor();
      return () => arith(0, inner(), (x, y) => x - y);
    }
    if (/^\d/.test(t)) return () => Number(t);
    if (peek() === '(') {
      take('(');
      const args = [comparison()];
      while (peek() === ',') {
        take(',');
        args.push(comparison());
      }
      take(')');
      if (t === 'FILL' && args.length === 2) return () => args[0]!() ?? args[1]!();
      if (t === 'IF' && args.length === 3) {
        return () => {
          const condition = args[0]!();
          return condition === undefined ? undefined : condition !== 0 ? args[1]!() : args[2]!();
        };
      }
      throw new Error(`metric math function ${t}/${args.length} is not modelled`);
    }
    if (!metrics.has(t)) throw new Error(`metric math ${JSON.stringify(expression)} names ${t}, which the alarm does not define`);
    return () => metrics.get(t);
  };

  const result = comparison();
  if (i !== tokens.length) throw new Error(`metric math ${JSON.stringify(expression)}: unexpected ${tokens[i]}`);
  const value = result();
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/** The datapoints of the EMF lines `run` writes to stdout (where Powertools Metrics writes them). */
export async function emittedDuring(run: () => unknown): Promise<Datapoint[]> {
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return emfDatapoints(written.join('').split('\n'));
}
