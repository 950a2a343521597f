// The shape of a template file (templates/*.yaml) and of each backend block, checked at load time.
import { Type } from '@sinclair/typebox';
import { TEMPLATE_ID_PATTERN } from '../../contract/api-schemas.js';
import { BACKEND_NAMES } from '../../contract/backends.js';

const Obj = Type.Object({}, { additionalProperties: true });

/** Most distinct approvers a template may require: four eyes, or six for the riskiest jobs. */
const MAX_REQUIRED_APPROVALS = 3;

export const TemplateFileSchema = Type.Object(
  {
    id: Type.String({ pattern: TEMPLATE_ID_PATTERN }),
    description: Type.String({ minLength: 1 }),
    backend: Type.Union(BACKEND_NAMES.map((b) => Type.Literal(b))),
    allowedGroups: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    allowAgents: Type.Boolean({ default: false }),
    datasets: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    sensitiveParameters: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    personalParameters: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    parameters: Type.Object(
      { type: Type.Literal('object'), properties: Type.Optional(Type.Record(Type.String(), Obj)) },
      { additionalProperties: true },
    ),
    limits: Type.Object(
      {
        timeoutSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 })),
        maxActivePerPrincipal: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
      },
      { additionalProperties: false, default: {} },
    ),
    dataproc: Type.Optional(
      Type.Object(
        {
          job: Type.Optional(Obj),
          batch: Type.Optional(Obj),
          serviceAccount: Type.Optional(Type.String({ format: 'email' })),
        },
        { additionalProperties: false },
      ),
    ),
    databricks: Type.Optional(
      Type.Object({ runNow: Type.Optional(Obj), submit: Type.Optional(Obj) }, { additionalProperties: false }),
    ),
    // Just-in-time approval (docs/approvals.md): who decides, how many distinct people, how long a request may wait.
    approval: Type.Optional(
      Type.Object(
        {
          approvers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true }),
          required: Type.Integer({ minimum: 1, maximum: MAX_REQUIRED_APPROVALS }),
          expiresAfterMinutes: Type.Integer({ minimum: 5, maximum: 7 * 24 * 60 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const StringMap = Type.Record(Type.String(), Type.String());
const Strings = Type.Array(Type.String());
const Label = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,62}$' }), Type.String({ pattern: '^[a-z0-9_-]{0,63}$' }));

const sparkCommon = {
  args: Type.Optional(Strings),
  jarFileUris: Type.Optional(Strings),
  fileUris: Type.Optional(Strings),
  archiveUris: Type.Optional(Strings),
  properties: Type.Optional(StringMap),
};
const DataprocJobTypes = {
  pysparkJob: Type.Object({ mainPythonFileUri: Type.String({ minLength: 1 }), pythonFileUris: Type.Optional(Strings), ...sparkCommon }, { additionalProperties: true }),
  sparkJob: Type.Object({ mainClass: Type.Optional(Type.String()), mainJarFileUri: Type.Optional(Type.String()), ...sparkCommon }, { additionalProperties: true }),
  sparkSqlJob: Type.Object({ queryFileUri: Type.Optional(Type.String()), scriptVariables: Type.Optional(StringMap), properties: Type.Optional(StringMap) }, { additionalProperties: true }),
  sparkRJob: Type.Object({ mainRFileUri: Type.String(), ...sparkCommon }, { additionalProperties: true }),
  hiveJob: Type.Object({ queryFileUri: Type.Optional(Type.String()), scriptVariables: Type.Optional(StringMap), properties: Type.Optional(StringMap) }, { additionalProperties: true }),
  prestoJob: Obj,
  trinoJob: Obj,
  flinkJob: Obj,
  pigJob: Obj,
  hadoopJob: Obj,
};
const DataprocBatchTypes = {
  pysparkBatch: Type.Object({ mainPythonFileUri: Type.String({ minLength: 1 }), args: Type.Optional(Strings), pythonFileUris: Type.Optional(Strings), jarFileUris: Type.Optional(Strings), fileUris: Type.Optional(Strings), archiveUris: Type.Optional(Strings) }, { additionalProperties: true }),
  sparkBatch: Type.Object({ mainClass: Type.Optional(Type.String()), mainJarFileUri: Type.Optional(Type.String()), args: Type.Optional(Strings) }, { additionalProperties: true }),
  sparkSqlBatch: Type.Object({ queryFileUri: Type.String(), queryVariables: Type.Optional(StringMap) }, { additionalProperties: true }),
  sparkRBatch: Type.Object({ mainRFileUri: Type.String(), args: Type.Optional(Strings) }, { additionalProperties: true }),
};

/** Rendered-request schemas: validated (with string coercion, e.g. an integer shard count in `args`) before a request leaves. */
export const DataprocJobRequest = Type.Object(
  {
    placement: Type.Object({ clusterName: Type.Optional(Type.String({ minLength: 1 })), clusterLabels: Type.Optional(StringMap) }, { additionalProperties: false }),
    labels: Type.Optional(Label),
    scheduling: Type.Optional(Type.Object({ maxFailuresPerHour: Type.Optional(Type.Integer()), maxFailuresTotal: Type.Optional(Type.Integer()) }, { additionalProperties: false })),
    ...Object.fromEntries(Object.entries(DataprocJobTypes).map(([k, v]) => [k, Type.Optional(v)])),
  },
  { additionalProperties: false },
);
export const DATAPROC_JOB_TYPES = Object.keys(DataprocJobTypes);

export const DataprocBatchRequest = Type.Object(
  {
    labels: Type.Optional(Label),
    runtimeConfig: Type.Optional(Type.Object({ version: Type.Optional(Type.String()), containerImage: Type.Optional(Type.String()), properties: Type.Optional(StringMap) }, { additionalProperties: false })),
    environmentConfig: Type.Optional(Obj),
    ...Object.fromEntries(Object.entries(DataprocBatchTypes).map(([k, v]) => [k, Type.Optional(v)])),
  },
  { additionalProperties: false },
);
export const DATAPROC_BATCH_TYPES = Object.keys(DataprocBatchTypes);

export const DatabricksRunNowRequest = Type.Object(
  {
    jobId: Type.Integer({ minimum: 1 }),
    jobParameters: Type.Optional(StringMap),
    queue: Type.Optional(Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false })),
    performanceTarget: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Task = Type.Object(
  {
    task_key: Type.String({ pattern: '^[\\w\\-.]{1,100}$' }),
    notebook_task: Type.Optional(Type.Object({ notebook_path: Type.String({ minLength: 1 }), base_parameters: Type.Optional(StringMap), source: Type.Optional(Type.String()) }, { additionalProperties: true })),
    spark_python_task: Type.Optional(Type.Object({ python_file: Type.String(), parameters: Type.Optional(Strings) }, { additionalProperties: true })),
    python_wheel_task: Type.Optional(Obj),
    spark_jar_task: Type.Optional(Obj),
    sql_task: Type.Optional(Obj),
    existing_cluster_id: Type.Optional(Type.String()),
    new_cluster: Type.Optional(Obj),
    environment_key: Type.Optional(Type.String()),
    libraries: Type.Optional(Type.Array(Obj)),
    timeout_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const DatabricksSubmitRequest = Type.Object(
  {
    run_name: Type.Optional(Type.String({ maxLength: 4096 })),
    tasks: Type.Array(Task, { minItems: 1, maxItems: 100 }),
    timeout_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
    environments: Type.Optional(Type.Array(Obj)),
    access_control_list: Type.Optional(Type.Array(Obj)),
    git_source: Type.Optional(Obj),
    budget_policy_id: Type.Optional(Type.String()),
    queue: Type.Optional(Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
