// The gateway's own monitoring signals, each defined once and whole: the CloudWatch metric's name, unit and dimension
// sets, the alarms that watch it, and the dashboard graphs that show it. Plain data for both sides: the functions write
// exactly these dimension sets (lambda/adapters/powertools/signals.ts), the stack builds its metrics, alarms and graphs
// from these entries and adds none of its own (lib/observability/). test/observability/signals.test.ts checks that
// every dimension set emitted is read, and alarm-firing.test.ts makes every alarm fire from the code that emits it.
import { FAIL_CLOSED_REASONS } from './denials.js';

/** The CloudWatch namespace of every signal. */
export const METRICS_NAMESPACE = 'DataJobGateway';
/** The `service` dimension every dimension set starts with; also every function's log `service`. */
export const SERVICE_NAME = 'data-job-gateway';

/** The `credential` dimension: which credential a rotation was about. A stack holds at most one of each. */
export const ROTATED_CREDENTIALS = {
  databricksPat: 'databricks-pat',
  databricksOAuthSecret: 'databricks-oauth-secret',
  googleServiceAccountKey: 'google-service-account-key',
} as const;
export type RotatedCredential = (typeof ROTATED_CREDENTIALS)[keyof typeof ROTATED_CREDENTIALS];

/** The embedded-metric-format units the signals use. */
type SignalUnit = 'Count' | 'Milliseconds';

/** Dimensions whose values the stack knows at synth time: the configured backends and the rotated credentials. */
export type DeployedDimension = 'backend' | 'credential';

/** The one function whose Lambda metrics an alarm of these signals combines with (the rotation function's errors). */
export type WatchedFunction = 'rotation';

/**
 * How every alarm of the gateway decides (these and the API and Lambda alarms of lib/observability/alarms.ts): at or
 * above its threshold in one period; no data is not a breach, so quiet hours are fine.
 */
export const ALARM_SHAPE = {
  comparison: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'notBreaching',
} as const;

interface AlarmFields<Set extends string> {
  /** Construct id, PascalCase and stable (changing it replaces the alarm); an `each` alarm appends its value. */
  readonly id: string;
  /** The alarm's name is `<gateway name>-<name>`; `{value}` stands for the value an `each` alarm watches. */
  readonly name: string;
  /** What it means and what to look at first, shown in the console and in every notification; `{value}` as in `name`, `{threshold}` and `{period}` as below. */
  readonly description: string;
  /** The dimension set it reads: CloudWatch matches a metric's whole dimension set, so it must be one that is emitted. */
  readonly set: Set;
  readonly statistic: 'Sum';
  readonly periodMinutes: number;
  /** It fires when one period's value reaches this. */
  readonly threshold: number;
}

export type SignalAlarm<Set extends string = string> = AlarmFields<Set> &
  (
    | {
        /** One alarm per deployed value of this dimension. */
        readonly each: DeployedDimension;
      }
    | {
        /** One alarm on the sum over these values of a dimension. */
        readonly sumOver: { readonly dimension: string; readonly values: readonly string[] };
      }
    | {
        /** One alarm on this function's Lambda `Errors` minus this signal summed over the deployed values of `per`: the errors it does not explain. */
        readonly unexplainedErrorsOf: WatchedFunction;
        readonly per: DeployedDimension;
      }
  );

export interface Signal<Sets extends Readonly<Record<string, readonly string[]>> = Readonly<Record<string, readonly string[]>>> {
  readonly metric: string;
  readonly unit: SignalUnit;
  /** Dimension sets besides `service` (which each starts with): each is a metric of its own, and every event is counted in each. */
  readonly sets: Sets;
  /** Each reads one of `sets` (signal() checks the names where a signal is written). */
  readonly alarms: readonly SignalAlarm[];
}

/** What the functions need of a signal to write one event of it. */
export type EmittedSignal = Pick<Signal, 'metric' | 'unit' | 'sets'>;

/** The dimension values an event of `S` carries: one for every dimension of its sets. */
export type DimensionValues<S extends EmittedSignal> = { readonly [D in S['sets'][keyof S['sets']][number]]: string };

// Each signal is a constant of its own, its call marked pure, so a function's bundle carries only the signals it writes.
const signal = <const Sets extends Readonly<Record<string, readonly string[]>>>(s: {
  metric: string;
  unit: SignalUnit;
  sets: Sets;
  alarms?: readonly SignalAlarm<keyof Sets & string>[];
}): Signal<Sets> => ({ ...s, alarms: s.alarms ?? [] });

/** A job the backend accepted (the jobs function). */
export const JOBS_SUBMITTED = /* @__PURE__ */ signal({
  metric: 'JobsSubmitted',
  unit: 'Count',
  sets: { byBackend: ['backend'], byTemplate: ['backend', 'template'] },
});

/** A submission the backend refused or failed, whatever the reason (the jobs function). */
export const SUBMIT_FAILURES = /* @__PURE__ */ signal({
  metric: 'JobSubmitFailures',
  unit: 'Count',
  sets: { byBackend: ['backend'], byTemplate: ['backend', 'template'] },
  alarms: [
    {
      id: 'SubmitFailures',
      name: '{value}-submit-failures',
      description:
        'At least {threshold} job submissions to {value} failed in {period}. Run `npm run audit -- failures --since 1h`: the reason is the backend\'s error code.',
      set: 'byBackend',
      statistic: 'Sum',
      periodMinutes: 5,
      threshold: 3,
      each: 'backend',
    },
  ],
});

/** A cancellation the backend accepted (the jobs and admin functions). */
export const JOBS_CANCELLED = /* @__PURE__ */ signal({
  metric: 'JobsCancelled',
  unit: 'Count',
  sets: { byTemplate: ['backend', 'template'] },
});

/** How long one backend call took (submit, get, cancel). */
export const BACKEND_LATENCY = /* @__PURE__ */ signal({
  metric: 'BackendLatency',
  unit: 'Milliseconds',
  sets: { byOperation: ['backend', 'operation'] },
});

/** A request the authorizer refused, by reason (contract/denials.ts). */
export const AUTHORIZER_DENIALS = /* @__PURE__ */ signal({
  metric: 'AuthorizerDenials',
  unit: 'Count',
  sets: { byReason: ['reason'] },
  alarms: [
    {
      id: 'AuthorizerErrors',
      name: 'authorizer-errors',
      description:
        'The authorizer could not check tokens (issuer JWKS or the revocation store unreachable or invalid) and refused callers. Run `npm run audit -- denied --since 1h` and look for jwks_* or revocation_unavailable reasons.',
      set: 'byReason',
      statistic: 'Sum',
      periodMinutes: 5,
      threshold: 1,
      sumOver: { dimension: 'reason', values: FAIL_CLOSED_REASONS },
    },
  ],
});

/** A rotation that made a new credential current (the rotation function). */
export const SECRET_ROTATIONS = /* @__PURE__ */ signal({
  metric: 'SecretRotations',
  unit: 'Count',
  sets: { byCredential: ['credential'] },
});

/** A rotation step that failed; `credential` is `unknown` when the function could not tell which secret it was. */
export const ROTATION_FAILURES = /* @__PURE__ */ signal({
  metric: 'SecretRotationFailures',
  unit: 'Count',
  sets: { byCredential: ['credential'], byStep: ['credential', 'step'] },
  alarms: [
    {
      id: 'RotationFailures',
      name: '{value}-rotation-failures',
      description:
        'A step of the {value} rotation failed. AWSCURRENT is unchanged and still works. Find the secret.rotation_failed audit event (`npm run audit -- rotations --since 7d`: step, reason), fix the cause, then run `aws secretsmanager rotate-secret`: see docs/credentials.md.',
      set: 'byCredential',
      statistic: 'Sum',
      // A rotation and Secrets Manager's retries of it fit in one period.
      periodMinutes: 60,
      threshold: 1,
      each: 'credential',
    },
    {
      id: 'RotationFunctionErrors',
      name: 'rotation-function-errors',
      description:
        "The rotation function failed without a rotation step of a rotated credential failing: it timed out, crashed, or was invoked for a secret it could not describe or does not rotate. AWSCURRENT is unchanged. Read the function's log (Task timed out, an error before any secret.rotation_failed event), fix it, then retry with `aws secretsmanager rotate-secret`: see docs/credentials.md.",
      set: 'byCredential',
      statistic: 'Sum',
      periodMinutes: 60,
      threshold: 1,
      unexplainedErrorsOf: 'rotation',
      per: 'credential',
    },
  ],
});

/** Every signal, by the name graphs and tests use. */
export const SIGNALS = {
  jobsSubmitted: JOBS_SUBMITTED,
  submitFailures: SUBMIT_FAILURES,
  jobsCancelled: JOBS_CANCELLED,
  backendLatency: BACKEND_LATENCY,
  authorizerDenials: AUTHORIZER_DENIALS,
  rotations: SECRET_ROTATIONS,
  rotationFailures: ROTATION_FAILURES,
} as const;

export type SignalName = keyof typeof SIGNALS;

/** One line (or one per value found, by SEARCH) of a graph: one of a signal's dimension sets, under a statistic. */
export type GraphSeries = {
  readonly [N in SignalName]: {
    readonly signal: N;
    readonly set: keyof (typeof SIGNALS)[N]['sets'] & string;
    readonly statistic: 'Sum' | 'p99';
    /** May name a dimension's value: `${PROP('Dim.template')}`. */
    readonly label: string;
  };
}[SignalName];

/** A dashboard graph of these signals; the dashboard (lib/observability/dashboard.ts) places it in its `row`. */
export interface SignalGraph {
  readonly title: string;
  readonly row: 'refusals-and-jobs' | 'backends-and-credentials';
  /** Of the dashboard's 24 columns. */
  readonly width: number;
  readonly left: readonly GraphSeries[];
  readonly right?: readonly GraphSeries[];
  readonly stacked?: boolean;
}

/** The dashboard's graphs of these signals, in order. Each line is a SEARCH, so a new template, reason or credential appears by itself. */
export const SIGNAL_GRAPHS: readonly SignalGraph[] = [
  {
    title: 'Authorizer denials by reason',
    row: 'refusals-and-jobs',
    width: 6,
    stacked: true,
    left: [{ signal: 'authorizerDenials', set: 'byReason', statistic: 'Sum', label: "${PROP('Dim.reason')}" }],
  },
  {
    title: 'Submissions and failures by backend',
    row: 'refusals-and-jobs',
    width: 6,
    left: [{ signal: 'jobsSubmitted', set: 'byBackend', statistic: 'Sum', label: "${PROP('Dim.backend')} submitted" }],
    right: [{ signal: 'submitFailures', set: 'byBackend', statistic: 'Sum', label: "${PROP('Dim.backend')} failed" }],
  },
  {
    title: 'Submissions by template',
    row: 'refusals-and-jobs',
    width: 6,
    stacked: true,
    left: [{ signal: 'jobsSubmitted', set: 'byTemplate', statistic: 'Sum', label: "${PROP('Dim.template')}" }],
  },
  {
    title: 'Submit failures and cancellations by template',
    row: 'refusals-and-jobs',
    width: 6,
    left: [{ signal: 'submitFailures', set: 'byTemplate', statistic: 'Sum', label: "${PROP('Dim.template')} failed" }],
    right: [{ signal: 'jobsCancelled', set: 'byTemplate', statistic: 'Sum', label: "${PROP('Dim.template')} cancelled" }],
  },
  {
    title: 'Backend latency p99 (ms)',
    row: 'backends-and-credentials',
    width: 12,
    left: [{ signal: 'backendLatency', set: 'byOperation', statistic: 'p99', label: "${PROP('Dim.backend')} ${PROP('Dim.operation')} p99" }],
  },
  {
    title: 'Secret rotations',
    row: 'backends-and-credentials',
    width: 12,
    left: [{ signal: 'rotations', set: 'byCredential', statistic: 'Sum', label: "rotated ${PROP('Dim.credential')}" }],
    right: [{ signal: 'rotationFailures', set: 'byStep', statistic: 'Sum', label: "failed ${PROP('Dim.credential')} ${PROP('Dim.step')}" }],
  },
];
