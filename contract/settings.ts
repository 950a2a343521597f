// What the runtime is configured with. The config file's sections the functions read (lib/config.ts composes the one
// config schema from them), and the narrow settings each function receives: derived from the config at synth
// (lib/runtime-settings.ts), embedded in its bundle, validated at cold start (lambda/runtime/settings.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { BACKEND_NAMES } from './backends.js';
import { ROUTE_SCOPES, type RouteScope } from './routes.js';
import type { Template } from './template.js';

export const Strict = { additionalProperties: false } as const;
const StringList = (description: string) => Type.Array(Type.String({ minLength: 1 }), { default: [], description });
export const HttpsOrLoopbackUrl = Type.String({
  pattern: '^(https://[^\\s]+|http://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d+)?(/[^\\s]*)?)$',
  description: 'https URL (http only on loopback, for local mode)',
});

const ScopeNames = (scope: RouteScope) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: `the issuer's scopes that grant ${scope} (any one of them)` }));

const IssuerSchema = Type.Object(
  {
    issuer: HttpsOrLoopbackUrl,
    audience: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
      description: 'accepted aud (or Cognito client_id) values',
    }),
    jwksUri: Type.Optional(
      Type.String({ pattern: HttpsOrLoopbackUrl.pattern, description: 'default: the jwks_uri of <issuer>/.well-known/openid-configuration (OpenID discovery); set it only to override' }),
    ),
    groupsClaim: Type.String({ default: 'groups', description: 'claim holding groups: string or array (Entra ID: groups or roles)' }),
    trustedGroups: Type.Array(Type.String({ minLength: 1 }), {
      default: ['*'],
      description: 'the groups this issuer may assert ("*": any); a group from an issuer not trusted for it counts for nothing. Required when several issuers are configured',
    }),
    scopeClaim: Type.String({ default: 'scope', description: 'claim holding scopes: space-separated string or array (Entra ID: scp)' }),
    scopes: Type.Optional(
      Type.Object(Object.fromEntries(ROUTE_SCOPES.map((s) => [s, ScopeNames(s)])) as Record<RouteScope, ReturnType<typeof ScopeNames>>, {
        ...Strict,
        description: 'route scope → this issuer\'s scope names; with it, each route needs its scope (403 otherwise) and an unmapped route scope is never granted; without it, no scope is checked',
      }),
    ),
    tokenUse: Type.Optional(Type.Union([Type.Literal('access'), Type.Literal('id')], { description: 'Cognito token_use required' })),
    typ: Type.Optional(Type.String({ description: 'required JOSE typ header, e.g. at+jwt' })),
    agentRule: Type.Optional(
      Type.Object(
        {
          claim: Type.String({ description: 'claim to inspect' }),
          values: Type.Optional(
            Type.Array(Type.Union([Type.String(), Type.Boolean()]), {
              minItems: 1,
              description: 'agent when the claim has one of these values, user when it has another; when the claim is missing the kind is unknown',
            }),
          ),
          absent: Type.Optional(Type.Boolean({ description: 'true: agent when the claim is absent, user when present; false: the reverse' })),
        },
        { ...Strict, description: 'how to tell a machine (client-credentials) token from a user\'s; default: the shapes of Okta, Entra ID, Cognito and Auth0 tokens' },
      ),
    ),
  },
  Strict,
);

export const AuthSchema = Type.Object(
  {
    issuers: Type.Array(IssuerSchema, { default: [], description: 'trusted OIDC issuers; local mode adds its own provider when local.identityProvider.enabled' }),
    clockSkewSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 60 }),
    maxTokenLength: Type.Integer({ minimum: 512, maximum: 65536, default: 8192 }),
    authorizerCacheTtlSeconds: Type.Integer({ minimum: 0, maximum: 3600, default: 300 }),
    verifiedTokenCacheSize: Type.Integer({ minimum: 0, maximum: 100000, default: 1000 }),
  },
  Strict,
);

export const AccessSchema = Type.Object(
  {
    auditorGroups: StringList('groups that may read every job'),
    adminGroups: StringList('groups that may read and cancel every job, and manage revocations'),
  },
  Strict,
);

const GoogleCredentialsSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('workload-identity'),
      audience: Type.String({ description: '//iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<provider>' }),
      serviceAccount: Type.String({ format: 'email', description: 'service account impersonated by default' }),
      tokenUrl: Type.Optional(HttpsOrLoopbackUrl),
      iamCredentialsEndpoint: Type.Optional(HttpsOrLoopbackUrl),
      awsRegionalCredVerificationUrl: Type.Optional(Type.String()),
    },
    Strict,
  ),
  Type.Object(
    {
      type: Type.Literal('service-account-key'),
      secretName: Type.Optional(Type.String({ description: 'existing secret; default: created by the stack' })),
      serviceAccount: Type.String({ format: 'email' }),
      iamEndpoint: Type.Optional(HttpsOrLoopbackUrl),
      tokenUrl: Type.Optional(HttpsOrLoopbackUrl),
      iamCredentialsEndpoint: Type.Optional(HttpsOrLoopbackUrl), // a template's own service account is impersonated from the key's
    },
    Strict,
  ),
]);

export const DataprocSchema = Type.Object(
  {
    projectId: Type.String({ pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$' }),
    region: Type.String({ pattern: '^[a-z]+-[a-z]+[0-9]$' }),
    endpoint: Type.Optional(HttpsOrLoopbackUrl),
    storageEndpoint: Type.Optional(
      Type.String({ pattern: HttpsOrLoopbackUrl.pattern, description: 'Cloud Storage JSON API, where driver output is read; default https://storage.googleapis.com' }),
    ),
    credentials: GoogleCredentialsSchema,
  },
  Strict,
);

const DatabricksCredentialsSchema = Type.Union([
  Type.Object({ type: Type.Literal('pat'), secretName: Type.Optional(Type.String()) }, Strict),
  Type.Object({ type: Type.Literal('oauth-m2m'), secretName: Type.Optional(Type.String()) }, Strict),
]);

export const DatabricksSchema = Type.Object(
  {
    host: HttpsOrLoopbackUrl,
    credentials: DatabricksCredentialsSchema,
    maxRetries: Type.Integer({ minimum: 0, maximum: 10, default: 4 }),
  },
  Strict,
);

export type IssuerConfig = Static<typeof IssuerSchema>;
export type DataprocConfig = Static<typeof DataprocSchema>;
export type DatabricksConfig = Static<typeof DatabricksSchema>;
export type GoogleCredentialsConfig = Static<typeof GoogleCredentialsSchema>;
export type DatabricksCredentialsConfig = Static<typeof DatabricksCredentialsSchema>;

/** Whether an issuer with these `trustedGroups` may assert `group`: the config check and the authorizer agree on it. */
export const mayAssert = (trustedGroups: readonly string[], group: string): boolean => trustedGroups.includes('*') || trustedGroups.includes(group);

// ── The settings each function receives ─────────────────────────────────────────────────────────────────────────

/** The deployed functions: one per concern (lib/constructs/functions.ts), each with its own settings below. */
export const FUNCTION_NAMES = ['authorizer', 'catalog', 'jobs', 'admin', 'reconciler', 'rotation'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Templates as embedded: checked in full when loaded (lambda/core/template-loader.ts, at synth and start-up), so a cold
 * start only checks that the list is what it expects.
 */
const Templates = Type.Array(
  Type.Unsafe<Template>(
    Type.Object(
      { id: Type.String({ minLength: 1 }), backend: Type.Union(BACKEND_NAMES.map((b) => Type.Literal(b))), file: Type.String(), parameters: Type.Object({}) },
      { additionalProperties: true },
    ),
  ),
);

const Backends = { dataproc: Type.Optional(DataprocSchema), databricks: Type.Optional(DatabricksSchema) };
const MaxBodyBytes = Type.Integer({ minimum: 1 });

export const RUNTIME_SETTINGS = {
  authorizer: Type.Object(
    {
      auth: Type.Object(
        {
          issuers: Type.Array(IssuerSchema),
          clockSkewSeconds: Type.Integer({ minimum: 0 }),
          maxTokenLength: Type.Integer({ minimum: 1 }),
          verifiedTokenCacheSize: Type.Integer({ minimum: 0 }),
        },
        Strict,
      ),
    },
    Strict,
  ),
  catalog: Type.Object({ templates: Templates, maxBodyBytes: MaxBodyBytes }, Strict),
  jobs: Type.Object({ templates: Templates, access: AccessSchema, maxBodyBytes: MaxBodyBytes, ...Backends }, Strict),
  admin: Type.Object({ templates: Templates, access: AccessSchema, maxBodyBytes: MaxBodyBytes, ...Backends }, Strict),
  reconciler: Type.Object({ templates: Templates, pendingAfterMinutes: Type.Integer({ minimum: 1 }), ...Backends }, Strict),
  rotation: Type.Object({ tokenLifetimeDays: Type.Integer({ minimum: 1 }), ...Backends }, Strict),
} as const satisfies Record<FunctionName, TSchema>;

export type RuntimeSettings<F extends FunctionName> = Static<(typeof RUNTIME_SETTINGS)[F]>;

/** Names of the deployed resources, passed as environment variables because they are only known at deploy time. */
export const ENV = {
  ledgerTable: 'LEDGER_TABLE_NAME',
  databricksSecret: 'DATABRICKS_SECRET_ID',
  googleKeySecret: 'GOOGLE_KEY_SECRET_ID',
  /** The deployment's MAC key secret (only the jobs function's role may read it). */
  macKeySecret: 'MAC_KEY_SECRET_ID',
  /** The stage's base URL: the custom domain, else the execute-api URL with the stage (lib/data-job-gateway-stack.ts). */
  apiBaseUrl: 'API_BASE_URL',
} as const;
