// Every alarm the stack deploys can fire, for the failure it names, and stays quiet otherwise. For each alarm in the
// synthesized template of config/example.yaml and of a stack rotating two credentials, the runtime code that emits its
// signal runs (the authorizer, the jobs service, the rotation protocol, with embedded or in-memory ports), the EMF
// lines it writes are read back as CloudWatch extracts them, and the alarm is evaluated as CloudWatch does
// (test/observability/cloudwatch-alarms.ts). Alarms on API Gateway and Lambda metrics get the datapoints those services
// would record for the same events. An alarm no scenario makes fire fails the suite.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Template as AssertionTemplate } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { BackendName } from '../../contract/backends.js';
import { ROTATED_CREDENTIALS, SIGNALS, type RotatedCredential } from '../../contract/signals.js';
import { createJwksFetcher } from '../../lambda/authorizer/jwks-fetcher.js';
import { HttpDatabricksOAuthSecretsApi } from '../../lambda/adapters/databricks/oauth-secrets-api.js';
import { HttpDatabricksTokenApi } from '../../lambda/adapters/databricks/token-api.js';
import { DynamoLedger } from '../../lambda/adapters/dynamodb/ledger.js';
import { DynamoRevocationCheck } from '../../lambda/adapters/dynamodb/revocation-check.js';
import { IamKeyApi } from '../../lambda/adapters/google/key-api.js';
import { PowertoolsAuthorizerMetrics } from '../../lambda/adapters/powertools/authorizer-metrics.js';
import { PowertoolsJobMetrics } from '../../lambda/adapters/powertools/job-metrics.js';
import { PowertoolsRotationMetrics } from '../../lambda/adapters/powertools/rotation-metrics.js';
import { createMetrics } from '../../lambda/adapters/powertools/signals.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { composeAuthorizer } from '../../lambda/compose/authorizer.js';
import { jobsService } from '../../lambda/compose/jobs.js';
import { composeRotation } from '../../lambda/compose/rotation.js';
import type { JobBackend } from '../../lambda/core/backend.js';
import { BackendFailure } from '../../lambda/core/errors.js';
import { KeyedHash } from '../../lambda/core/keyed-hash.js';
import type { Principal } from '../../lambda/core/principal.js';
import { rememberedRevocationCheck } from '../../lambda/core/revocations.js';
import type { RotationEvent } from '../../lambda/rotation/rotation.js';
import { loadConfigFile, parseConfig, type GatewayConfig } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import { runtimeSettings } from '../../lib/runtime-settings.js';
import { LOCAL_AWS, startEmbeddedLedger, type EmbeddedLedger } from '../../local/embedded-ledger.js';
import { recordingAudit, requestEvent, startJwksServer, TestIssuer, type JwksServer } from '../authorizer/fixtures.js';
import { buildStack, DATABRICKS_TEMPLATE, DATAPROC_TEMPLATE, TEST_ENV, testApp, testConfig } from '../cdk/fixtures.js';
import { SecretsManagerModel } from '../rotation/secrets-manager-model.js';
import { emittedDuring, evaluateAlarm, templateAlarms, templateValue, type Datapoint, type TemplateAlarm } from './cloudwatch-alarms.js';

// ── The stacks ──────────────────────────────────────────────────────────────────────────────────

interface World {
  readonly title: string;
  readonly config: GatewayConfig;
  readonly stack: DataJobGatewayStack;
  readonly alarms: readonly TemplateAlarm[];
}

const world = (title: string, config: GatewayConfig, stack: DataJobGatewayStack): World => ({
  title,
  config,
  stack,
  alarms: templateAlarms(AssertionTemplate.fromStack(stack).toJSON() as { Resources: Record<string, unknown> }),
});

const exampleConfig = loadConfigFile('config/example.yaml', PROJECT_ROOT);
const rotatingConfig = testConfig((raw) => {
  raw.dataproc.credentials = { type: 'service-account-key', serviceAccount: 'gateway@acme-data-test.iam.gserviceaccount.com' };
});
const WORLDS: readonly World[] = [
  world(
    'config/example.yaml',
    exampleConfig,
    new DataJobGatewayStack(testApp(), exampleConfig.name, { config: exampleConfig, templates: loadTemplateDir(exampleConfig.templatesPath), env: TEST_ENV }),
  ),
  world('a stack rotating a Databricks PAT and a Google service-account key', rotatingConfig, buildStack(rotatingConfig).stack),
];

// ── Time: every event of a run lands in one period ─────────────────────────────────────────────

const NOW = Date.now();

/** Runs `work` with the clock stopped at NOW, so the EMF timestamps and the datapoints below share one period. */
async function atNow<T>(work: () => Promise<T>): Promise<T> {
  const clock = jest.spyOn(Date, 'now').mockReturnValue(NOW);
  try {
    return await work();
  } finally {
    clock.mockRestore();
  }
}

/** A datapoint an AWS service records for one event at NOW. */
const recorded = (namespace: string, metric: string, dimensions: Record<string, string>, value: number): Datapoint => ({ namespace, metric, dimensions, timestamp: NOW, value });

// ── Shared runtime pieces ───────────────────────────────────────────────────────────────────────

let ledger: EmbeddedLedger;
let jwks: JwksServer;
let issuer: TestIssuer;
/** An address where nothing listens: a DynamoDB endpoint that is down. */
let deadEndpoint: string;

beforeAll(async () => {
  ledger = await startEmbeddedLedger();
  jwks = await startJwksServer();
  issuer = await TestIssuer.create(jwks, { path: '/idp', alg: 'ES256', audience: 'api://jobs' });
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadEndpoint = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await ledger?.close();
  await jwks?.close();
});

// ── Scenarios: what makes each kind of alarm fire, and a quiet run beside it ───────────────────

interface Run {
  /** What happens, in words a test name can carry. */
  readonly what: string;
  /** Makes it happen: the datapoints CloudWatch would hold afterwards. */
  readonly run: () => Promise<Datapoint[]>;
}

interface Scenario {
  readonly fire: Run;
  readonly quiet: readonly Run[];
}

/** The authorizer as the authorizer function composes it, its revocation store at `endpoint`. */
function authorizer(endpoint: string) {
  const settings = runtimeSettings(parseConfig({ auth: { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] } }), [], PROJECT_ROOT).authorizer;
  const revocations = new DynamoRevocationCheck(new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 }), ledger.tableName);
  return composeAuthorizer(settings, {
    audit: recordingAudit().audit,
    jwksFetcher: createJwksFetcher({ allowLoopbackHttp: true }),
    metrics: new PowertoolsAuthorizerMetrics(createMetrics()),
    isRevoked: rememberedRevocationCheck((i, s) => revocations.isRevoked(i, s), 5000),
  });
}

async function authorize(authorize: ReturnType<typeof authorizer>, tokens: readonly string[]): Promise<void> {
  for (const token of tokens) await authorize(requestEvent(`Bearer ${token}`)).catch(() => undefined);
}

function authorizerScenario(): Scenario {
  const now = () => Math.floor(NOW / 1000);
  return {
    fire: {
      what: 'the revocation store is down while a valid token is checked',
      run: () => emittedDuring(async () => authorize(authorizer(deadEndpoint), [await issuer.token()])),
    },
    quiet: [
      {
        what: 'tokens are refused for being expired or for another audience, and a valid one passes',
        run: () =>
          emittedDuring(async () =>
            authorize(authorizer(ledger.endpoint), [await issuer.token({ iat: now() - 120, exp: now() - 60 }), await issuer.token({ aud: 'api://elsewhere' }), await issuer.token()]),
          ),
      },
    ],
  };
}

const PRINCIPAL: Principal = { issuer: 'https://idp.example.com', subject: 'alice', groups: ['analysts', 'data-eng'], kind: 'user', scopes: [] };
const TEMPLATES = { dataproc: DATAPROC_TEMPLATE, databricks: DATABRICKS_TEMPLATE } as const;
const PARAMETERS = { dataproc: { date: '2026-11-21' }, databricks: {} } as const;

/** A backend that answers each submission as `outcomes` says, in order: accepted, or 503 (what a backend outage looks like). */
function backend(name: BackendName, outcomes: readonly ('accepted' | 'unavailable')[]): JobBackend {
  let n = 0;
  return {
    name,
    plan: () => ({ method: 'POST', url: `https://${name}.example.com/submit` }),
    submit: async (s) => {
      if (outcomes[n++] === 'unavailable') throw new BackendFailure(name, 503, 'UNAVAILABLE', `${name} is unavailable`);
      return { kind: 'job', id: `${name}-${s.jobId}`, status: 'QUEUED', backendStatus: 'PENDING' };
    },
    get: async () => ({ status: 'QUEUED', backendStatus: 'PENDING' }),
    cancel: async () => ({ status: 'CANCELLING', backendStatus: 'CANCELLING' }),
  };
}

/** Submissions through the jobs service as the jobs function composes it, on the embedded ledger. */
async function submit(w: World, outcomes: Partial<Record<BackendName, readonly ('accepted' | 'unavailable')[]>>): Promise<void> {
  const settings = runtimeSettings(w.config, [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE], PROJECT_ROOT).jobs;
  const service = jobsService(settings, {
    ledger: new DynamoLedger(ledger.client, ledger.tableName),
    backends: Object.fromEntries(Object.entries(outcomes).map(([name, o]) => [name, backend(name as BackendName, o)])),
    audit: recordingAudit().audit,
    keyedHash: async () => new KeyedHash('a-test-mac-key-of-at-least-32-bytes!'),
    metrics: new PowertoolsJobMetrics(createMetrics()),
    log: { warn: () => {}, error: () => {} },
  });
  for (const [name, list] of Object.entries(outcomes) as [BackendName, readonly unknown[]][]) {
    for (const _ of list) {
      await service.submit({ principal: PRINCIPAL, template: TEMPLATES[name].id, parameters: PARAMETERS[name] }, { requestId: 'req', baseUrl: 'https://api.example.com/v1' }).catch(() => undefined);
    }
  }
}

function submitFailuresScenario(w: World, name: BackendName): Scenario {
  const other = (['dataproc', 'databricks'] as const).find((b) => b !== name)!;
  return {
    fire: { what: `3 submissions to ${name} fail in 5 minutes`, run: () => emittedDuring(() => submit(w, { [name]: ['unavailable', 'unavailable', 'unavailable'] })) },
    quiet: [
      {
        what: `2 submissions to ${name} fail and 2 succeed, while 3 to ${other} fail`,
        run: () => emittedDuring(() => submit(w, { [name]: ['unavailable', 'accepted', 'unavailable', 'accepted'], [other]: ['unavailable', 'unavailable', 'unavailable'] })),
      },
    ],
  };
}

/** A stack-created secret still holding CloudFormation's generated placeholder: createSecret refuses to rotate it. */
const PLACEHOLDER = 'Q7v!r#N2p$L9x&K4m*W8z^T1b(S6c)D3';

interface RotationWorld {
  readonly secrets: Record<RotatedCredential, SecretsManagerModel>;
  /** A secret in the same account that this gateway does not rotate. */
  readonly stranger: SecretsManagerModel;
  /** The rotation function as Lambda runs it: each invocation that throws is one Lambda `Errors`, each other a 0. */
  readonly invoke: (event: RotationEvent) => Promise<void>;
  readonly errors: Datapoint[];
}

/** The rotation function as it is composed, over one Secrets Manager model per credential of this stack. */
function rotationFunction(w: World): RotationWorld {
  const settings = runtimeSettings(w.config, [], PROJECT_ROOT).rotation;
  const secrets = Object.fromEntries(Object.values(ROTATED_CREDENTIALS).map((c) => [c, new SecretsManagerModel(`prod/gateway/${c}`, PLACEHOLDER)])) as Record<RotatedCredential, SecretsManagerModel>;
  const stranger = new SecretsManagerModel('prod/someone-else/secret', PLACEHOLDER);
  const models = [...Object.values(secrets), stranger];
  const databricks = w.config.databricks?.credentials.type === 'pat' ? ROTATED_CREDENTIALS.databricksPat : ROTATED_CREDENTIALS.databricksOAuthSecret;
  const rotate = composeRotation(settings, {
    secrets: {
      describeSecret: (id) => modelOf(id).describeSecret(id),
      getSecretValue: (id, s) => modelOf(id).getSecretValue(id, s),
      putSecretValue: (id, p) => modelOf(id).putSecretValue(id, p),
      updateSecretVersionStage: (id, m) => modelOf(id).updateSecretVersionStage(id, m),
    },
    secretIds: { databricks: secrets[databricks].arn, googleKey: secrets[ROTATED_CREDENTIALS.googleServiceAccountKey].arn },
    databricks: new HttpDatabricksTokenApi({ maxRetries: 0 }),
    databricksOAuth: new HttpDatabricksOAuthSecretsApi({ maxRetries: 0 }),
    google: new IamKeyApi(),
    audit: recordingAudit().audit,
    metrics: new PowertoolsRotationMetrics(createMetrics()),
    log: { info: () => {}, warn: () => {} },
  });
  /** The account's Secrets Manager: each call goes to the secret it names (an unknown id fails as the model does). */
  function modelOf(id: string): SecretsManagerModel {
    return models.find((m) => m.arn === id) ?? stranger;
  }
  const fn = ref(w, w.stack.functions.rotation!);
  const errors: Datapoint[] = [];
  return {
    secrets,
    stranger,
    errors,
    invoke: async (event) => {
      try {
        await rotate(event);
        errors.push(recorded('AWS/Lambda', 'Errors', { FunctionName: fn }, 0));
      } catch (err) {
        errors.push(recorded('AWS/Lambda', 'Errors', { FunctionName: fn }, 1));
        throw err;
      }
    },
  };
}

/** Secrets Manager rotating the secret of `credential`: the four steps, up to the first that fails. */
async function rotateSecret(r: RotationWorld, credential: RotatedCredential): Promise<void> {
  await r.secrets[credential].rotate((event) => r.invoke(event));
}

function rotationStepScenario(w: World, credential: RotatedCredential): Scenario {
  const others = rotatedCredentials(w).filter((c) => c !== credential);
  return {
    fire: {
      what: `a step of the ${credential} rotation fails (the secret still holds its placeholder)`,
      run: async () => {
        const r = rotationFunction(w);
        return [...(await emittedDuring(() => rotateSecret(r, credential))), ...r.errors];
      },
    },
    quiet: [
      {
        what: `Secrets Manager tests the rotation set-up of the ${credential} secret${others.length ? `, and a step of the ${others.join(', ')} rotation fails` : ''}`,
        run: async () => {
          const r = rotationFunction(w);
          const emitted = await emittedDuring(async () => {
            await r.secrets[credential].testRotationConfiguration((event) => r.invoke(event));
            for (const other of others) await rotateSecret(r, other);
          });
          return [...emitted, ...r.errors];
        },
      },
    ],
  };
}

function rotationFunctionScenario(w: World): Scenario {
  const credential = rotatedCredentials(w)[0]!;
  return {
    fire: {
      what: 'the function is invoked for a secret it does not rotate',
      run: async () => {
        const r = rotationFunction(w);
        const emitted = await emittedDuring(() => r.stranger.rotate((event) => r.invoke(event)));
        return [...emitted, ...r.errors];
      },
    },
    quiet: [
      {
        what: `a step of the ${credential} rotation fails (its own alarm's signal, not this one's)`,
        run: async () => {
          const r = rotationFunction(w);
          return [...(await emittedDuring(() => rotateSecret(r, credential))), ...r.errors];
        },
      },
    ],
  };
}

function apiServerErrorScenario(w: World): Scenario {
  const stage = w.stack.api.restApi.deploymentStage;
  const dimensions = { ApiName: w.stack.api.restApi.restApiName, Stage: templateValue(w.stack.resolve(stage.stageName)) };
  /** What API Gateway records for `total` requests of which `failed` were answered 5xx. */
  const requests = (total: number, failed: number) =>
    Array.from({ length: total }, (_, i) => [recorded('AWS/ApiGateway', 'Count', dimensions, 1), recorded('AWS/ApiGateway', '5XXError', dimensions, i < failed ? 1 : 0)]).flat();
  return {
    fire: { what: '2 of 20 requests are answered 5xx', run: async () => requests(20, 2) },
    quiet: [
      { what: '2 of 100 requests are answered 5xx', run: async () => requests(100, 2) },
      { what: '2 of 5 requests are answered 5xx (too few requests to judge)', run: async () => requests(5, 2) },
    ],
  };
}

function throttleScenario(w: World, functionName: string): Scenario {
  const [name] = Object.entries(w.stack.functions).find(([, fn]) => fn && typeof fn === 'object' && 'functionName' in fn && ref(w, fn as IFunction) === functionName) ?? [];
  if (!name) throw new Error(`the throttle alarm watches ${functionName}, which is none of the stack's functions`);
  const dimensions = { FunctionName: functionName };
  return {
    fire: { what: `the ${name} function is throttled once`, run: async () => [recorded('AWS/Lambda', 'Throttles', dimensions, 1)] },
    quiet: [{ what: `the ${name} function runs 50 times unthrottled`, run: async () => Array.from({ length: 50 }, () => recorded('AWS/Lambda', 'Invocations', dimensions, 1)) }],
  };
}

const ref = (w: World, fn: IFunction) => templateValue(w.stack.resolve(fn.functionName));

const rotatedCredentials = (w: World): RotatedCredential[] =>
  [
    ...(w.config.databricks ? [w.config.databricks.credentials.type === 'pat' ? ROTATED_CREDENTIALS.databricksPat : ROTATED_CREDENTIALS.databricksOAuthSecret] : []),
    ...(w.config.dataproc?.credentials.type === 'service-account-key' ? [ROTATED_CREDENTIALS.googleServiceAccountKey] : []),
  ] as RotatedCredential[];

/** The scenario that makes `alarm` fire, chosen by what it reads. */
function scenarioFor(w: World, alarm: TemplateAlarm): Scenario {
  const reads = (metric: string) => alarm.queries.find((q) => q.metric === metric);
  const rotationFailures = reads(SIGNALS.rotationFailures.metric);
  if (reads('5XXError')) return apiServerErrorScenario(w);
  if (reads('Throttles')) return throttleScenario(w, reads('Throttles')!.dimensions.FunctionName!);
  if (reads(SIGNALS.authorizerDenials.metric)) return authorizerScenario();
  if (reads(SIGNALS.submitFailures.metric)) return submitFailuresScenario(w, reads(SIGNALS.submitFailures.metric)!.dimensions.backend as BackendName);
  if (rotationFailures && reads('Errors')) return rotationFunctionScenario(w);
  if (rotationFailures) return rotationStepScenario(w, rotationFailures.dimensions.credential as RotatedCredential);
  throw new Error(`no scenario makes ${alarm.name} fire (it reads ${alarm.queries.map((q) => `${q.namespace}/${q.metric}`).join(', ')}): add one`);
}

// ── The tests ───────────────────────────────────────────────────────────────────────────────────

describe.each(WORLDS.map((w) => [w.title, w] as const))('%s', (_, w) => {
  test('deploys the alarms this suite makes fire: one per signal rule and AWS metric', () => {
    const names = w.alarms.map((a) => a.name).sort();
    expect(names).toEqual(expect.arrayContaining([`${w.config.name}-api-5xx-rate`, `${w.config.name}-authorizer-errors`, `${w.config.name}-rotation-function-errors`]));
    expect(names.filter((n) => n.endsWith('-rotation-failures')).sort()).toEqual(rotatedCredentials(w).map((c) => `${w.config.name}-${c}-rotation-failures`).sort());
  });

  describe.each(w.alarms.map((alarm) => [alarm.name, alarm, scenarioFor(w, alarm)] as const))('%s', (_, alarm, scenario) => {
    test(`goes to ALARM when ${scenario.fire.what}`, async () => {
      const datapoints = await atNow(scenario.fire.run);
      expect(evaluateAlarm(alarm, datapoints, NOW)).toBe('ALARM');
    });

    test.each(scenario.quiet.map((q) => [q.what, q] as const))('stays OK when %s', async (_, quiet) => {
      const datapoints = await atNow(quiet.run);
      expect(evaluateAlarm(alarm, datapoints, NOW)).toBe('OK');
    });
  });
});
