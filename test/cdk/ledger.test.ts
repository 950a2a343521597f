import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Ledger } from '../../lib/constructs/ledger.js';
import { LEDGER_TABLE } from '../../contract/ledger-table.js';
import { TEST_ENV, testApp } from './fixtures.js';

const newStack = () => new Stack(testApp(), 'Test', { env: TEST_ENV });
const DEFAULTS = { deletionProtection: true, pointInTimeRecovery: true, encryption: 'aws-managed' } as const;

describe('Ledger', () => {
  it('is an on-demand table shaped by contract/ledger-table.ts, with PITR, deletion protection, TTL and both indexes', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new Ledger(stack, 'Ledger', DEFAULTS);

    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: LEDGER_TABLE.ttlAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        GlobalSecondaryIndexes: [LEDGER_TABLE.principalIndex, LEDGER_TABLE.pendingIndex].map((i) => ({
          IndexName: i.name,
          KeySchema: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    });
  });

  it('encrypts with a rotating key of the stack when the config asks for customer-managed encryption', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const ledger = new Ledger(stack, 'Ledger', { ...DEFAULTS, encryption: 'customer-managed' });

    // THEN
    expect(ledger.key).toBeDefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LedgerKey'), 'Arn'] } } })],
    });
  });

  it('is deleted with the stack, and unprotected, when deletion protection is off', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new Ledger(stack, 'Ledger', { ...DEFAULTS, deletionProtection: false, pointInTimeRecovery: false });

    // THEN
    Template.fromStack(stack).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: { Replicas: [Match.objectLike({ DeletionProtectionEnabled: false, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } })] },
    });
  });

  it('grants item actions on the rows of one partition-key prefix only, and queries on one index only', () => {
    // GIVEN
    const stack = newStack();
    const ledger = new Ledger(stack, 'Ledger', DEFAULTS);
    const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    // WHEN
    ledger.grantItems(role, ['GetItem', 'UpdateItem'], ['JOB#']);
    ledger.grantIndexQuery(role, 'pendingIndex');

    // THEN
    const tableArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Ledger'), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: tableArn, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOB#*'] } } },
          { Action: 'dynamodb:Query', Effect: 'Allow', Resource: { 'Fn::Join': ['', [tableArn, '/index/pending']] } },
        ],
      },
    });
  });

  it('adds the customer-managed key: decrypt for reads, data keys for writes', () => {
    const stack = newStack();
    const ledger = new Ledger(stack, 'Ledger', { ...DEFAULTS, encryption: 'customer-managed' });
    const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const writer = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    ledger.grantItems(reader, ['GetItem'], ['REVOCATION#']);
    ledger.grantItems(writer, ['PutItem'], ['JOB#']);
    const policy = (role: string) =>
      JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } }))[0]!.Properties.PolicyDocument);
    expect(policy('Reader')).toContain('kms:Decrypt');
    expect(policy('Reader')).not.toContain('kms:GenerateDataKey');
    expect(policy('Writer')).toContain('kms:GenerateDataKey*');
  });
});
