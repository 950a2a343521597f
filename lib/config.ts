// The one config schema: `cdk synth -c config=<file>` and `npm start -- --config <file>` both load through here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { LOCAL_EVENTS_LOG_FILE } from '../contract/approval-events.js';
import { LOCAL_AUDIT_LOG_FILE } from '../contract/audit-line.js';
import { createAjv, describeErrors } from '../contract/validation.js';
import {
  AccessSchema,
  AuthSchema,
  DatabricksSchema,
  DataprocSchema,
  HttpsOrLoopbackUrl,
  mayAssert,
  Strict,
} from '../contract/settings.js';

const LedgerSchema = Type.Object(
  {
    tableName: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_.-]{3,255}$' })),
    endpoint: Type.Optional(HttpsOrLoopbackUrl),
    deletionProtection: Type.Boolean({ default: true }),
    pointInTimeRecovery: Type.Boolean({ default: true }),
    encryption: Type.Union([Type.Literal('aws-managed'), Type.Literal('customer-managed')], {
      default: 'aws-managed',
      description: 'customer-managed: a KMS key of the stack, rotated yearly',
    }),
  },
  Strict,
);

const Throttle = Type.Object(
  { rateLimit: Type.Number({ minimum: 0 }), burstLimit: Type.Integer({ minimum: 0 }) },
  Strict,
);

const ApiSchema = Type.Object(
  {
    throttle: Type.Object(
      { rateLimit: Type.Number({ minimum: 0, default: 50 }), burstLimit: Type.Integer({ minimum: 0, default: 100 }) },
      { ...Strict, default: {} },
    ),
    routeThrottles: Type.Record(Type.String({ pattern: '^(GET|POST|DELETE) /' }), Throttle, {
      default: {},
      additionalProperties: false,
      description: 'per route, e.g. "POST /jobs": {rateLimit: 5, burstLimit: 10}',
    }),
    usagePlan: Type.Optional(Type.Object({ quotaPerDay: Type.Integer({ minimum: 1 }) }, Strict)),
    maxBodyBytes: Type.Integer({ minimum: 1024, maximum: 1048576, default: 65536 }),
    executionLogRetentionDays: Type.Integer({ minimum: 1, default: 30 }),
    waf: Type.Optional(
      Type.Object({ enabled: Type.Boolean(), rateLimitPer5Minutes: Type.Integer({ minimum: 10, default: 2000 }) }, Strict),
    ),
    domain: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^([a-z0-9-]+\\.)+[a-z]{2,}$' }),
          certificateArn: Type.String({ pattern: '^arn:aws[a-z-]*:acm:' }),
          truststoreUri: Type.Optional(Type.String({ pattern: '^s3://[^/]+/.+' , description: 'enables mutual TLS' })),
          truststoreVersion: Type.Optional(Type.String()),
        },
        Strict,
      ),
    ),
  },
  { ...Strict, default: {} },
);

const FunctionsSchema = Type.Object(
  {
    memorySize: Type.Integer({ minimum: 128, maximum: 10240, default: 512 }),
    timeoutSeconds: Type.Integer({ minimum: 3, maximum: 29, default: 29 }),
  },
  { ...Strict, default: {} },
);

const ObservabilitySchema = Type.Object(
  {
    auditRetentionDays: Type.Integer({ minimum: 1, default: 365 }),
    auditKmsKeyArn: Type.Optional(Type.String({ pattern: '^arn:aws[a-z-]*:kms:' })),
    alarmTopicArn: Type.Optional(Type.String({ pattern: '^arn:aws[a-z-]*:sns:' })),
  },
  { ...Strict, default: {} },
);

const RotationSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: 'default: rotate every credential the stack holds (Databricks pat or oauth-m2m, a Google key); true with none is an error' }),
    ),
    intervalDays: Type.Integer({ minimum: 1, maximum: 1000, default: 30 }),
    tokenLifetimeDays: Type.Integer({ minimum: 1, maximum: 730, default: 45 }),
  },
  { ...Strict, default: {} },
);

const ReconcilerSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    everyMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 5, description: 'how often pending reservations are settled' }),
    pendingAfterMinutes: Type.Integer({ minimum: 2, maximum: 10080, default: 15, description: 'a reservation unconfirmed this long (no retry came back) is settled' }),
  },
  { ...Strict, default: {} },
);

const Faults = Type.Object(
  {
    errorRate: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
    kinds: Type.Array(
      Type.Union([
        Type.Literal('429'),
        Type.Literal('500'),
        Type.Literal('503'),
        Type.Literal('timeout'),
        Type.Literal('reset'),
        Type.Literal('slow'),
      ]),
      { default: ['500'] },
    ),
    latencyMs: Type.Integer({ minimum: 0, default: 0 }),
  },
  { ...Strict, default: {} },
);

const EmulatorFields = {
  enabled: Type.Boolean({ default: true }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  stepMs: Type.Integer({ minimum: 1, default: 1000, description: 'time each emulated job spends in a state' }),
  faults: Faults,
};
const Emulator = Type.Object(EmulatorFields, { ...Strict, default: {} });

const DatabricksEmulator = Type.Object(
  {
    ...EmulatorFields,
    jobs: Type.Array(
      Type.Object(
        {
          jobId: Type.Integer({ minimum: 1 }),
          name: Type.Optional(Type.String({ minLength: 1 })),
          parameters: Type.Record(Type.String(), Type.String(), { default: {}, description: 'job parameter name → its default value' }),
          tasks: Type.Optional(
            Type.Array(Type.Object({ task_key: Type.String({ minLength: 1 }) }, { additionalProperties: true }), {
              minItems: 1,
              description: 'the job\'s tasks as jobs/create takes them (settings.tasks), checked by the emulator; default: one notebook task',
            }),
          ),
        },
        Strict,
      ),
      { default: [], description: 'existing jobs the emulator knows, for run-now; a run-now template\'s job not listed here is defined at start' },
    ),
  },
  { ...Strict, default: {} },
);

const LocalSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    host: Type.String({ default: '127.0.0.1' }),
    identityProvider: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
        audience: Type.String({ default: 'data-job-gateway', description: 'aud of the tokens it issues; it is trusted as an extra issuer' }),
      },
      { ...Strict, default: {} },
    ),
    ledger: Type.Object(
      { embedded: Type.Boolean({ default: true }), port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }) },
      { ...Strict, default: {} },
    ),
    dataproc: Emulator,
    databricks: DatabricksEmulator,
    googleTokens: Type.Object({ enabled: Type.Boolean({ default: true }), port: Type.Integer({ minimum: 0, default: 0 }) }, { ...Strict, default: {} }),
    auditLogFile: Type.String({ default: LOCAL_AUDIT_LOG_FILE }),
    eventsLogFile: Type.String({ default: LOCAL_EVENTS_LOG_FILE, description: 'where approval events go, one EventBridge event a line, instead of the default bus' }),
    secrets: Type.Record(Type.String(), Type.String(), { default: {}, description: 'secret name → JSON value, standing in for Secrets Manager' }),
  },
  { ...Strict, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]{0,62}$', default: 'DataJobGateway' }),
    env: Type.Optional(
      Type.Object({ account: Type.Optional(Type.String({ pattern: '^\\d{12}$' })), region: Type.Optional(Type.String()) }, Strict),
    ),
    auth: AuthSchema,
    access: Type.Object(AccessSchema.properties, { ...Strict, default: {} }),
    templatesDir: Type.String({ default: 'templates' }),
    dataproc: Type.Optional(DataprocSchema),
    databricks: Type.Optional(DatabricksSchema),
    ledger: Type.Object(LedgerSchema.properties, { ...Strict, default: {} }),
    api: ApiSchema,
    functions: FunctionsSchema,
    observability: ObservabilitySchema,
    rotation: RotationSchema,
    reconciler: ReconcilerSchema,
    local: LocalSchema,
  },
  Strict,
);

export type GatewayConfig = Static<typeof ConfigSchema>;
export type LocalConfig = Static<typeof LocalSchema>;

/** A config file that does not match the schema; the message names the file, the field and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`${file}: invalid config\n  - ${problems.join('\n  - ')}`, options);
  }
}

function compile<T extends TSchema>(schema: T) {
  return createAjv({ useDefaults: true, coerceTypes: false, verbose: true }).compile<Static<T>>(schema);
}

let validateConfig: ReturnType<typeof compile<typeof ConfigSchema>> | undefined;

/** Validate a parsed config object (defaults are filled in place); `file` is only used in messages. */
export function parseConfig(raw: unknown, file = '<config>'): GatewayConfig {
  validateConfig ??= compile(ConfigSchema);
  const value = structuredClone(raw ?? {});
  if (!validateConfig(value)) {
    const union = (validateConfig.errors ?? []).filter((e) => e.keyword !== 'anyOf');
    const replaced = union.flatMap((e) => replacedFieldProblem(e) ?? []);
    throw new ConfigError(file, dedupe([...replaced, ...describeErrors(union.filter((e) => !replacedFieldProblem(e)), value)]));
  }
  const config = value as GatewayConfig;
  const problems = [...crossFieldProblems(config), ...issuerTrustProblems(raw)];
  if (problems.length) throw new ConfigError(file, problems);
  return config;
}

/** Fields an older config may still carry, with what replaced them. */
const REPLACED_FIELDS: readonly { readonly at: RegExp; readonly field: string; readonly fix: string }[] = [
  {
    at: /^\/auth\/issuers\/\d+$/,
    field: 'requiredScopes',
    fix: 'was replaced by scopes: map each route scope (jobs:read, jobs:submit, jobs:cancel, jobs:approve, admin, audit) to this issuer\'s scope names, e.g. scopes: {"jobs:read": [jobs]} (docs/identity.md)',
  },
  {
    at: /^\/functions$/,
    field: 'logRetentionDays',
    fix: 'was the retention of API Gateway\'s execution log, not of the functions\' logs (they write to the audit log, observability.auditRetentionDays): move it to api.executionLogRetentionDays',
  },
  {
    at: /^\/auth\/issuers\/\d+\/agentRule$/,
    field: 'equals',
    fix: 'was replaced by values: a list of the claim values that mark an agent, e.g. values: [app]',
  },
];

function replacedFieldProblem(e: ErrorObject): string | undefined {
  if (e.keyword !== 'additionalProperties') return undefined;
  const replaced = REPLACED_FIELDS.find((r) => r.field === e.params.additionalProperty && r.at.test(e.instancePath));
  return replaced && `${e.instancePath}/${replaced.field} ${replaced.fix}`;
}

/** With several issuers each must say which groups it may assert: the default (any) is only safe for a lone issuer. */
function issuerTrustProblems(raw: unknown): string[] {
  const issuers = (raw as { auth?: { issuers?: unknown } } | null)?.auth?.issuers;
  if (!Array.isArray(issuers) || issuers.length < 2) return [];
  return issuers.flatMap((i: Record<string, unknown>, n) =>
    i.trustedGroups === undefined
      ? [`/auth/issuers/${n}/trustedGroups is required when several issuers are configured: list the groups ${JSON.stringify(i.issuer)} may assert (["*"] for any)`]
      : [],
  );
}

function crossFieldProblems(config: GatewayConfig): string[] {
  const problems: string[] = [];
  if (config.auth.issuers.length === 0 && !config.local.identityProvider.enabled) {
    problems.push('/auth/issuers must list at least one issuer (got [])');
  }
  const seen = new Set<string>();
  config.auth.issuers.forEach((i, n) => {
    if (seen.has(i.issuer)) problems.push(`/auth/issuers/${n}/issuer is configured twice (got ${JSON.stringify(i.issuer)})`);
    seen.add(i.issuer);
  });
  config.auth.issuers.forEach((i, n) => {
    if (i.agentRule && i.agentRule.values !== undefined && i.agentRule.absent !== undefined) {
      problems.push(`/auth/issuers/${n}/agentRule sets both values and absent: use one`);
    }
  });
  if (config.api.domain?.truststoreVersion && !config.api.domain.truststoreUri) {
    problems.push('/api/domain/truststoreVersion needs /api/domain/truststoreUri');
  }
  problems.push(...rotationProblems(config));
  const jobIds = new Set<number>();
  config.local.databricks.jobs.forEach((j, n) => {
    if (jobIds.has(j.jobId)) problems.push(`/local/databricks/jobs/${n}/jobId is defined twice (got ${j.jobId})`);
    jobIds.add(j.jobId);
  });
  return problems;
}

/** `rotation.enabled: true` asks for a schedule; with no credential in Secrets Manager there would silently be none. */
function rotationProblems(config: GatewayConfig): string[] {
  if (config.rotation.enabled !== true) return [];
  const google = config.dataproc?.credentials;
  if (config.databricks || google?.type === 'service-account-key') return [];
  const why = google ? 'dataproc uses workload-identity (no key exists) and no databricks section is configured' : 'neither databricks nor a dataproc service-account key is configured';
  return [`/rotation/enabled is true, but this config holds no credential to rotate: ${why}. Remove /rotation/enabled (or set it to false)`];
}

const dedupe = (xs: string[]) => [...new Set(xs)];

/** Read a YAML (or JSON) config file and validate it; `templatesDir` is relative to `cwd`, the project root where npm and cdk run. */
export function loadConfigFile(path: string, cwd = process.cwd()): GatewayConfig & { readonly sourceFile: string; readonly templatesPath: string } {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${(err as Error).message}`], { cause: err });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(path, doc.errors.map((e) => `${path}:${lines.linePos(e.pos[0]).line}:${lines.linePos(e.pos[0]).col} not valid YAML: ${e.message.split('\n')[0]}`), { cause: doc.errors[0] });
  }
  let config: GatewayConfig;
  try {
    config = parseConfig(doc.toJS(), path);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(path, err.problems.map((p) => locate(p, path, doc, lines)), { cause: err });
  }
  const templatesPath = resolve(cwd, config.templatesDir);
  return Object.assign(config, { sourceFile: file, templatesPath });
}

/**
 * `file:line:column ` before a problem that starts with a JSON Pointer, from the YAML source map: the node itself, or
 * the nearest ancestor that exists (a missing or unknown field points at its parent).
 */
function locate(problem: string, file: string, doc: Document, lines: LineCounter): string {
  const pointer = /^(\/\S*)/.exec(problem)?.[1];
  if (!pointer) return problem;
  const path = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k)), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `${file}:${line}:${col} ${problem}`;
    }
  }
  return problem;
}

/** What the group check needs of a template (contract/template.ts `Template`). */
export interface GroupsOfTemplate {
  readonly id: string;
  readonly file: string;
  readonly allowedGroups: readonly string[];
  readonly approval?: { readonly approvers: readonly string[] };
}


/**
 * A group named in `access.*`, a template's `allowedGroups` or its `approval.approvers` that no configured issuer may assert could never match:
 * most likely a missing `trustedGroups` entry. Runs where config and templates meet: bin/app.ts and local mode.
 * `configFile` names the config in the messages.
 */
export function assertGroupsAssertable(config: Pick<GatewayConfig, 'auth' | 'access'>, templates: readonly GroupsOfTemplate[], configFile: string): void {
  const assertable = (g: string) => config.auth.issuers.some((i) => mayAssert(i.trustedGroups, g));
  const fix = (g: string, from: string) =>
    `which no issuer may assert: add ${JSON.stringify(g)} to /auth/issuers/<n>/trustedGroups of the issuer that asserts it${config.auth.issuers.length ? '' : ' (no issuer is configured)'}, or remove it from ${from}`;
  const problems: string[] = [];
  for (const field of ['auditorGroups', 'adminGroups'] as const) {
    config.access[field].forEach((g, n) => {
      if (!assertable(g)) problems.push(`/access/${field}/${n} names ${JSON.stringify(g)}, ${fix(g, `/access/${field}`)}`);
    });
  }
  for (const t of templates) {
    t.allowedGroups.forEach((g, n) => {
      if (!assertable(g)) problems.push(`${t.file}: /allowedGroups/${n} names ${JSON.stringify(g)}, ${fix(g, `the allowedGroups of template "${t.id}"`)}`);
    });
    // An approver group nobody can assert would leave every request waiting until it expires.
    t.approval?.approvers.forEach((g, n) => {
      if (!assertable(g)) problems.push(`${t.file}: /approval/approvers/${n} names ${JSON.stringify(g)}, ${fix(g, `the approvers of template "${t.id}"`)}`);
    });
  }
  if (problems.length) throw new ConfigError(configFile, problems);
}
