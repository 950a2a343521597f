// Every template the stack synthesizes conforms to the CloudFormation resource specification (@aws-cdk/aws-service-spec),
// so `cdk deploy` does not meet an unknown property, a wrong shape or a dangling reference that no other test sees.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfigFile } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { specDefects, type CfnTemplate } from './cfn-spec.js';
import { buildVariant, STACK_VARIANTS, TEST_ENV, testApp } from './fixtures.js';

let db: SpecDatabase;
beforeAll(() => {
  db = loadAwsServiceSpecSync();
}, 60_000);

const CONFIGS = readdirSync(join(PROJECT_ROOT, 'config')).filter((f) => /\.ya?ml$/.test(f));

describe('synthesized templates match the CloudFormation resource specification', () => {
  it.each(CONFIGS)('config/%s', (file) => {
    // GIVEN the shipped config and its templates, loaded as `cdk synth` loads them
    const config = loadConfigFile(`config/${file}`, PROJECT_ROOT);
    const stack = new DataJobGatewayStack(testApp(), config.name, { config, templates: loadTemplateDir(config.templatesPath), env: TEST_ENV });
    // WHEN synthesized; THEN every resource conforms
    expect(specDefects(Template.fromStack(stack).toJSON() as CfnTemplate, db)).toEqual([]);
  });

  it.each(Object.keys(STACK_VARIANTS))('%s', (name) => {
    expect(specDefects(buildVariant(name).template.toJSON() as CfnTemplate, db)).toEqual([]);
  });
});

describe('the check finds', () => {
  // GIVEN a small hand-made template with one defect of each kind
  const defects = () =>
    specDefects(
      {
        Parameters: { Stage: { Type: 'String' } },
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
        Resources: {
          Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: 'yes', KeyPolicy: { Statement: [] } } },
          Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 7, Colour: 'blue', KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'KeyArn'] }, Tags: [{ Key: 'team' }] } },
          Policy: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: { Ref: 'Topic' } }, DependsOn: ['Queue'] },
          Alarm: {
            Type: 'AWS::CloudWatch::Alarm',
            Condition: 'IsStaging',
            Properties: {
              ComparisonOperator: 'GreaterThanThreshold',
              EvaluationPeriods: 1.5,
              AlarmActions: [{ Ref: 'Topik' }],
              Dimensions: { Name: 'FunctionName', Value: 'x' },
              MetricName: { 'Fn::If': ['IsProd', 'Errors', 42] },
              AlarmDescription: { 'Fn::Sub': 'notifies ${Topic.TopicArn} and ${Missing}' },
            },
          },
          Domain: { Type: 'AWS::ApiGateway::DomainName', Properties: { RoutingMode: 'SOMETIMES' } },
          Queue2: { Type: 'AWS::SQS::Queu' },
          Custom: { Type: 'Custom::Thing', Properties: { ServiceToken: { 'Fn::GetAtt': ['Key', 'Arn'] }, Anything: true } },
          Orphan: { Type: 'Custom::Orphan', Properties: {} },
        },
        Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Gone', 'Arn'] } } },
      },
      db,
    );

  it.each([
    ['an unknown resource type', 'Resources/Queue2: unknown resource type AWS::SQS::Queu'],
    ['an unknown property', 'Resources/Topic/Properties: unknown property Colour'],
    ['a string where a boolean belongs', 'Resources/Key/Properties/EnableKeyRotation: expected a boolean, got "yes"'],
    ['a number where a string belongs', 'Resources/Topic/Properties/DisplayName: expected a string, got 7'],
    ['a fraction where an integer belongs', 'Resources/Alarm/Properties/EvaluationPeriods: expected an integer, got 1.5'],
    ['a value outside the allowed ones', 'Resources/Domain/Properties/RoutingMode: expected one of BASE_PATH_MAPPING_ONLY'],
    ['an object where a list of property types belongs', 'Resources/Alarm/Properties/Dimensions: expected a list'],
    ['a single Ref where a list belongs', 'Resources/Policy/Properties/Topics: expected a list, got {"Ref":"Topic"}'],
    ['a missing required property of a resource', 'Resources/Policy/Properties: missing required property PolicyDocument'],
    ['a missing required property of a nested type', 'Resources/Topic/Properties/Tags/0: missing required property Value'],
    ['a wrong shape in either branch of Fn::If', 'Resources/Alarm/Properties/MetricName/Fn::If/2: expected a string, got 42'],
    ['Fn::GetAtt of an attribute the type does not have', 'Resources/Topic/Properties/KmsMasterKeyId: Fn::GetAtt Key.KeyArn, but AWS::KMS::Key has no attribute KeyArn'],
    ['Fn::GetAtt of a resource that does not exist', 'Outputs/Arn/Value: Fn::GetAtt of Gone, which the template does not have'],
    ['a dangling Ref', 'Resources/Alarm/Properties/AlarmActions/0: Ref to Topik, which the template does not have'],
    ['a dangling Fn::Sub variable', 'Resources/Alarm/Properties/AlarmDescription: Fn::Sub names ${Missing}, which the template does not have'],
    ['a dangling DependsOn', 'Resources/Policy: DependsOn Queue, which the template does not have'],
    ['a resource condition the template does not define', 'Resources/Alarm: Condition IsStaging, which the template does not have'],
    ['a custom resource without its ServiceToken', 'Resources/Orphan: custom resource without ServiceToken'],
  ])('%s', (_kind, message) => {
    // WHEN checked; THEN the defect is reported where it is
    expect(defects()).toContainEqual(expect.stringContaining(message));
  });

  it('nothing else: custom resources, Fn::Sub attributes that exist and defined conditions pass', () => {
    expect(defects().filter((d) => d.includes('/Custom') || d.includes('Topic.TopicArn') || d.includes('IsProd'))).toEqual([]);
  });
});
