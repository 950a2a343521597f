// The Lambda entry's wiring: the module-scope SecretsManagerClient (mocked with aws-sdk-client-mock, answering from the
// Secrets Manager model), the embedded settings, the env var naming the secret, Powertools logs and metrics.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig } from '../../lib/config.js';
import { METRICS_NAMESPACE, SERVICE_NAME, SIGNALS } from '../../contract/signals.js';
import { SecretStoreFailed } from '../../lambda/rotation/errors.js';
import { AWSCURRENT, AWSPENDING } from '../../lambda/rotation/secret-versions.js';
import { runtimeSettings } from '../../lib/runtime-settings.js';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../local/emulators/databricks.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

const INITIAL_TOKEN = 'dapi0000wiring0000initial0000token';
const smMock = mockClient(SecretsManagerClient);
let emulator: DatabricksEmulator;
let model: SecretsManagerModel;
let denyNextDescribe = false;
let handler: (typeof import('../../lambda/rotation/index.js'))['handler'];

/** Everything the function wrote to stdout (Powertools' logs and EMF metrics) while `run` ran, one JSON object per line. */
async function stdoutOf(run: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run().catch(() => {});
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

beforeAll(async () => {
  emulator = await startDatabricksEmulator({ initialTokens: [{ tokenId: 'initial-id', value: INITIAL_TOKEN }] });
  model = new SecretsManagerModel('prod/gateway/databricks', JSON.stringify({ host: emulator.url, token: INITIAL_TOKEN, tokenId: 'initial-id' }));
  // The SDK side answers from the model, so a whole rotation runs through SecretsManagerVersions' mapping.
  smMock.on(DescribeSecretCommand).callsFake(async (input: { SecretId: string }) => {
    if (denyNextDescribe) {
      denyNextDescribe = false;
      throw Object.assign(new Error('User is not authorized to perform: secretsmanager:DescribeSecret'), { name: 'AccessDeniedException' });
    }
    const d = await model.describeSecret(input.SecretId);
    return { ARN: d.arn, Name: d.name, RotationEnabled: d.rotationEnabled, VersionIdsToStages: d.versionStages };
  });
  smMock.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string; VersionId?: string; VersionStage?: string }) => {
    const v = await model.getSecretValue(input.SecretId, { versionId: input.VersionId, stage: input.VersionStage });
    if (!v) throw new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret value" });
    return { ARN: model.arn, VersionId: v.versionId, SecretString: v.value };
  });
  smMock.on(PutSecretValueCommand).callsFake(async (input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }) => {
    await model.putSecretValue(input.SecretId, { versionId: input.ClientRequestToken, value: input.SecretString, stages: input.VersionStages });
    return { ARN: model.arn, VersionId: input.ClientRequestToken };
  });
  smMock.on(UpdateSecretVersionStageCommand).callsFake(async (input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }) => {
    await model.updateSecretVersionStage(input.SecretId, { stage: input.VersionStage, moveToVersionId: input.MoveToVersionId, removeFromVersionId: input.RemoveFromVersionId });
    return { ARN: model.arn };
  });

  // a stack name unlike the service name: the function must log under its service, not the config's name
  const config = parseConfig({ name: 'AcmeJobGateway', auth: {}, databricks: { host: emulator.url, credentials: { type: 'pat' } }, rotation: { tokenLifetimeDays: 10 } });
  const settings = runtimeSettings(config, [], PROJECT_ROOT).rotation;
  (globalThis as Record<string, unknown>).__GATEWAY_SETTINGS__ = JSON.stringify(settings);
  process.env.DATABRICKS_SECRET_ID = model.arn;
  process.env.AWS_REGION ??= 'eu-west-1';
  ({ handler } = await import('../../lambda/rotation/index.js'));
});

afterAll(async () => {
  delete (globalThis as Record<string, unknown>).__GATEWAY_SETTINGS__;
  delete process.env.DATABRICKS_SECRET_ID;
  smMock.restore();
  await emulator.close();
});

describe('lambda/rotation/index.ts', () => {
  test('runs a whole rotation through the SDK client, with the exact commands Secrets Manager expects', async () => {
    // GIVEN a rotation Secrets Manager has started
    const versionId = model.startRotation();
    const previousVersion = model.versionAt(AWSCURRENT);

    // WHEN Secrets Manager invokes the four steps
    const output = await stdoutOf(async () => {
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
        await handler({ Step, SecretId: model.arn, ClientRequestToken: versionId }, { awsRequestId: `req-${Step}` });
      }
    });

    // THEN the pending value was written under the ClientRequestToken, then made AWSCURRENT
    const put = smMock.commandCalls(PutSecretValueCommand);
    expect(put).toHaveLength(1);
    expect(put[0]!.args[0].input).toMatchObject({ SecretId: model.arn, ClientRequestToken: versionId, VersionStages: [AWSPENDING] });
    expect(smMock.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: model.arn, VersionStage: AWSCURRENT, MoveToVersionId: versionId, RemoveFromVersionId: previousVersion },
    ]);
    const current = JSON.parse(model.valueAt(AWSCURRENT)!) as { token: string; tokenId: string };
    const live = emulator.tokens().filter((t) => !t.revoked);
    expect(live.map((t) => t.tokenId)).toEqual([current.tokenId]);
    expect(live[0]!.expiryTime - live[0]!.creationTime).toBe(10 * 86_400_000);

    // AND the audit line and the metric reached stdout, in the names the graph watches, with no token in them
    expect(output.find((l) => l.event === 'secret.rotated')).toMatchObject({ audit: true, outcome: 'success', credential: 'databricks-pat', credentialId: current.tokenId });
    const emf = output.filter((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.[0]?.Name === SIGNALS.rotations.metric);
    expect(emf.map((l) => l._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['service', 'credential']]]);
    expect(emf[0]).toMatchObject({ service: SERVICE_NAME, credential: 'databricks-pat', [SIGNALS.rotations.metric]: 1 });
    expect(emf[0]!._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    const logLines = output.filter((l) => typeof l.message === 'string');
    expect(logLines.length).toBeGreaterThan(0);
    expect(new Set(logLines.map((l) => l.service))).toEqual(new Set([SERVICE_NAME]));
    const text = JSON.stringify(output);
    expect(text).not.toContain(current.token);
    expect(text).not.toContain(INITIAL_TOKEN);
  });

  test('a Secrets Manager error fails the step as SecretStoreFailed, audited and counted', async () => {
    denyNextDescribe = true;

    let failure: unknown;
    const output = await stdoutOf(() => handler({ Step: 'createSecret', SecretId: model.arn, ClientRequestToken: 'v-denied' }).catch((err: unknown) => (failure = err)));

    expect(failure).toBeInstanceOf(SecretStoreFailed);
    expect((failure as Error).message).toContain('AccessDeniedException');
    expect(output.find((l) => l.event === 'secret.rotation_failed')).toMatchObject({ reason: 'secrets_manager_failed', step: 'createSecret', versionId: 'v-denied' });
    const emf = output.filter((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.[0]?.Name === SIGNALS.rotationFailures.metric);
    expect(emf.map((l) => l._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['service', 'credential']], [['service', 'credential', 'step']]]);
    // DescribeSecret failed, so the function cannot tell which credential it was: the function-errors alarm's case
    expect(emf.map((l) => l.credential)).toEqual(['unknown', 'unknown']);
  });
});
