// The Secrets Manager model follows the documented staging-label rules, so the rotation tests prove something real.
import { describe, expect, test } from '@jest/globals';
import { InvalidParameterException, ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../lambda/rotation/secret-versions.js';
import { SecretsManagerModel } from './secrets-manager-model.js';

const model = () => new SecretsManagerModel('prod/model', '{"v":0}');

describe('SecretsManagerModel', () => {
  test('RotateSecret creates an empty AWSPENDING version that has no value until PutSecretValue fills it', async () => {
    const sm = model();
    const v1 = sm.startRotation();
    expect(sm.stagesOf(v1)).toEqual([AWSPENDING]);
    expect(await sm.getSecretValue(sm.arn, { versionId: v1, stage: AWSPENDING })).toBeUndefined();
    await sm.putSecretValue(sm.arn, { versionId: v1, value: '{"v":1}', stages: [AWSPENDING] });
    expect(await sm.getSecretValue(sm.arn, { versionId: v1, stage: AWSPENDING })).toEqual({ versionId: v1, value: '{"v":1}' });
  });

  test('PutSecretValue with the same token is ignored for the same value and refused for another', async () => {
    const sm = model();
    const v1 = sm.startRotation();
    await sm.putSecretValue(sm.arn, { versionId: v1, value: 'a', stages: [AWSPENDING] });
    await expect(sm.putSecretValue(sm.arn, { versionId: v1, value: 'a', stages: [AWSPENDING] })).resolves.toBeUndefined();
    await expect(sm.putSecretValue(sm.arn, { versionId: v1, value: 'b', stages: [AWSPENDING] })).rejects.toThrow(ResourceExistsException);
  });

  test('moving AWSCURRENT needs RemoveFromVersionId and leaves AWSPREVIOUS behind', async () => {
    const sm = model();
    const v0 = sm.versionAt(AWSCURRENT)!;
    const v1 = sm.startRotation();
    await sm.putSecretValue(sm.arn, { versionId: v1, value: 'new', stages: [AWSPENDING] });
    await expect(sm.updateSecretVersionStage(sm.arn, { stage: AWSCURRENT, moveToVersionId: v1 })).rejects.toThrow(InvalidParameterException);
    await sm.updateSecretVersionStage(sm.arn, { stage: AWSCURRENT, moveToVersionId: v1, removeFromVersionId: v0 });
    expect(sm.stagesOf(v1).sort()).toEqual([AWSCURRENT, AWSPENDING]);
    expect(sm.stagesOf(v0)).toEqual([AWSPREVIOUS]);
    expect(sm.rotationComplete()).toBe(true);
  });

  test('a reading by id and stage that name different versions finds nothing', async () => {
    const sm = model();
    const v0 = sm.versionAt(AWSCURRENT)!;
    expect(await sm.getSecretValue(sm.arn, { versionId: v0, stage: AWSPENDING })).toBeUndefined();
    expect(await sm.getSecretValue(sm.arn, { versionId: v0, stage: AWSCURRENT })).toEqual({ versionId: v0, value: '{"v":0}' });
  });

  test('RotateSecret reattempts an incomplete rotation and starts a new one after a complete one', async () => {
    const sm = model();
    const v1 = sm.startRotation();
    expect(sm.startRotation()).toBe(v1);
    await sm.putSecretValue(sm.arn, { versionId: v1, value: 'new', stages: [AWSPENDING] });
    await sm.updateSecretVersionStage(sm.arn, { stage: AWSCURRENT, moveToVersionId: v1, removeFromVersionId: sm.versionAt(AWSCURRENT) });
    const v2 = sm.startRotation();
    expect(v2).not.toBe(v1);
    expect(sm.stagesOf(v1)).toEqual([AWSCURRENT]);
    expect(sm.stagesOf(v2)).toEqual([AWSPENDING]);
  });

  test('DescribeSecret lists only versions that carry a label', async () => {
    const sm = model();
    const v1 = sm.startRotation();
    sm.removeStage(AWSPENDING, v1);
    const d = await sm.describeSecret(sm.name);
    expect(Object.keys(d.versionStages)).toEqual([sm.versionAt(AWSCURRENT)]);
  });
});
