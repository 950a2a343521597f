// Request and response schemas of the HTTP API: the handlers validate with them and /openapi.json is built from them.
import { Type, type Static } from '@sinclair/typebox';
import { JOB_STATUSES } from './job-status.js';
import { BACKEND_NAMES } from './backends.js';
import { JOB_ID_PATTERN } from './job-id.js';

export const TEMPLATE_ID_PATTERN = '^[a-z][a-z0-9-]{1,62}$';

const SubmitJobRequest = Type.Object(
  {
    template: Type.String({ pattern: TEMPLATE_ID_PATTERN, description: 'template id' }),
    parameters: Type.Optional(Type.Object({}, { additionalProperties: true, description: "values for the template's parameter schema" })),
  },
  { additionalProperties: false, $id: 'SubmitJobRequest', title: 'SubmitJobRequest' },
);
type SubmitJobRequest = Static<typeof SubmitJobRequest>;

const RevocationRequest = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 512 }),
    subject: Type.String({ minLength: 1, maxLength: 512 }),
    reason: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false, $id: 'RevocationRequest', title: 'RevocationRequest' },
);
type RevocationRequest = Static<typeof RevocationRequest>;

const FingerprintRequest = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 4096, description: 'a personal parameter value, exactly as submitted' }) },
  { additionalProperties: false, $id: 'FingerprintRequest', title: 'FingerprintRequest' },
);
type FingerprintRequest = Static<typeof FingerprintRequest>;

const DecisionRequest = Type.Object(
  { comment: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'why; required to reject' })) },
  { additionalProperties: false, $id: 'DecisionRequest', title: 'DecisionRequest' },
);
type DecisionRequest = Static<typeof DecisionRequest>;

const Fingerprint = Type.Object(
  { fingerprint: Type.String({ description: 'what the ledger and the audit trail record for this value; search the audit log for it' }) },
  { $id: 'Fingerprint', title: 'Fingerprint' },
);

const PrincipalView = Type.Object({
  issuer: Type.String(),
  subject: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('agent'), Type.Literal('unknown')], { description: 'unknown: the token does not say whether a person or a machine holds it' }),
});

const ApprovalView = Type.Object(
  {
    approvers: Type.Array(Type.String(), { description: 'groups whose members may decide' }),
    required: Type.Integer({ minimum: 1, maximum: 3, description: 'distinct approvals needed' }),
    decisions: Type.Array(
      Type.Object({
        by: PrincipalView,
        decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
        comment: Type.Optional(Type.String()),
        at: Type.String({ format: 'date-time' }),
      }),
    ),
    expiresAt: Type.String({ format: 'date-time', description: 'undecided after this, the job ends EXPIRED' }),
    request: Type.Record(Type.String(), Type.Unknown(), { description: 'the rendered backend request being decided on; secret values ***, personal ones as fingerprints' }),
  },
  { description: 'present on jobs of templates that require approval' },
);
export type ApprovalView = Static<typeof ApprovalView>;

const Job = Type.Object(
  {
    id: Type.String({ pattern: JOB_ID_PATTERN }),
    template: Type.String(),
    backend: Type.Union(BACKEND_NAMES.map((b) => Type.Literal(b))),
    status: Type.Union(JOB_STATUSES.map((s) => Type.Literal(s))),
    backendStatus: Type.String({ description: "the backend's own status words" }),
    message: Type.Optional(Type.String()),
    parameters: Type.Record(Type.String(), Type.Unknown(), { description: 'secret parameters show as ***, personal ones as their keyed fingerprint' }),
    principal: PrincipalView,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    links: Type.Object({ self: Type.String(), console: Type.Optional(Type.String()) }),
    approval: Type.Optional(ApprovalView),
  },
  { $id: 'Job', title: 'Job' },
);
export type JobView = Static<typeof Job>;

export const JobList = Type.Object(
  { jobs: Type.Array(Type.Ref(Job)), nextCursor: Type.Optional(Type.String()) },
  { $id: 'JobList', title: 'JobList' },
);
export type JobList = Static<typeof JobList>;

export const JobOutput = Type.Object(
  {
    text: Type.String({ description: 'driver output from the requested offset, cut at a character boundary' }),
    nextOffset: Type.Integer({ minimum: 0, description: 'byte offset to ask for next' }),
    complete: Type.Boolean({ description: 'the job has ended and all of its output has been read' }),
  },
  { $id: 'JobOutput', title: 'JobOutput' },
);
export type JobOutput = Static<typeof JobOutput>;

/** The caller as the authorizer established them: what `djg whoami` shows. */
export const Caller = Type.Object(
  {
    issuer: Type.String(),
    subject: Type.String(),
    kind: Type.Union([Type.Literal('user'), Type.Literal('agent')]),
    groups: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
  },
  { $id: 'Caller', title: 'Caller' },
);
export type Caller = Static<typeof Caller>;

const DryRun = Type.Object(
  {
    dryRun: Type.Literal(true),
    jobId: Type.String(),
    template: Type.String(),
    backend: Type.String(),
    request: Type.Object({ method: Type.String(), url: Type.String(), body: Type.Optional(Type.Unknown()) }),
  },
  { $id: 'DryRun', title: 'DryRun' },
);

const TemplateSummary = Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    backend: Type.String(),
    datasets: Type.Array(Type.String()),
    parameters: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the parameters object' }),
  },
  { $id: 'Template', title: 'Template' },
);

const TemplateList = Type.Object({ templates: Type.Array(Type.Ref(TemplateSummary)) }, { $id: 'TemplateList', title: 'TemplateList' });

const Revocation = Type.Object(
  {
    id: Type.String(),
    issuer: Type.String(),
    subject: Type.String(),
    reason: Type.String(),
    revokedBy: PrincipalView,
    revokedAt: Type.String({ format: 'date-time' }),
    cancelledJobs: Type.Array(Type.String()),
  },
  { $id: 'Revocation', title: 'Revocation' },
);

const RevocationList = Type.Object({ revocations: Type.Array(Type.Ref(Revocation)) }, { $id: 'RevocationList', title: 'RevocationList' });

const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String() }))),
    backend: Type.Optional(Type.String()),
    backendCode: Type.Optional(Type.String()),
  },
  { $id: 'Problem', title: 'Problem' },
);

export const REQUEST_BODY_SCHEMAS = { SubmitJobRequest, RevocationRequest, FingerprintRequest, DecisionRequest } as const;

/** Every schema the API answers or accepts, by the name the route table and OpenAPI's components use. */
export const API_SCHEMAS = {
  ...REQUEST_BODY_SCHEMAS,
  Job,
  JobList,
  JobOutput,
  Caller,
  DryRun,
  Template: TemplateSummary,
  TemplateList,
  Revocation,
  RevocationList,
  Fingerprint,
  Problem: ProblemSchema,
} as const;
