// The stack's wiring: which function gets which permission, setting and output.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { GATEWAY_RUNTIME } from '../../lib/constructs/gateway-function.js';
import { buildStack, DATAPROC_TEMPLATE, testConfig } from './fixtures.js';

type Resources = Record<string, { Properties: Record<string, any> }>;

/** The policy document (as JSON text) of the role a function runs as. */
function rolePolicy(template: Template, fn: string): string {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const [, f] = Object.entries(functions).find(([id]) => new RegExp(`^Functions${fn}[0-9A-F]{8}$`).test(id))!;
  const roleId = f.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }) as Resources;
  return JSON.stringify(Object.values(policies).map((p) => p.Properties.PolicyDocument));
}

/** The resources a function's role may call `action` on, each as JSON (statements merged by minimizePolicies or not). */
function allowedResources(template: Template, fn: string, action: string): string[] {
  const documents = JSON.parse(rolePolicy(template, fn)) as { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }[];
  return documents
    .flatMap((d) => d.Statement)
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => JSON.stringify(r));
}

describe('DataJobGatewayStack', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildStack(testConfig((raw) => (raw.functions = { memorySize: 1024, timeoutSeconds: 20 }))));
  });

  it.each(['Authorizer', 'Catalog', 'Jobs', 'Admin', 'Reconciler', 'Rotation'])('runs %s on arm64 with the newest Node.js, X-Ray and JSON logs into the audit log group', (fn) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp(`^TestGateway: `),
      Runtime: GATEWAY_RUNTIME.name,
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^AuditLog') }, ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^Functions${fn}Role`), 'Arn'] },
      Environment: {
        Variables: Match.objectLike({
          LEDGER_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Ledger') },
          DATABRICKS_SECRET_ID: { Ref: Match.stringLikeRegexp('^SecretsDatabricks') },
        }),
      },
    });
  });

  it('does not load source maps at run time (Node would parse the .map at every cold start)', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    for (const f of functions) expect(f.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
  });

  it('sets no POWERTOOLS_* variable: the metric namespace and service are compiled in from contract/signals.ts', () => {
    // test/observability/signals.test.ts shows the variables could not move them anyway
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    expect(functions).toHaveLength(6);
    for (const f of functions) expect(Object.keys(f.Properties.Environment.Variables).filter((k) => k.startsWith('POWERTOOLS_'))).toEqual([]);
  });

  it('sizes the API functions from the config and gives rotation longer', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).map((f) => [f.Properties.Description, f.Properties.MemorySize, f.Properties.Timeout]);
    expect(functions).toEqual(
      expect.arrayContaining([
        [expect.stringContaining('verifies OIDC tokens'), 1024, 20],
        [expect.stringContaining('submits, lists and cancels jobs'), 1024, 20],
        [expect.stringContaining('rotates backend credentials'), 1024, 120],
      ]),
    );
  });

  it('gives no function AWSLambdaBasicExecutionRole: each role writes only to the audit log group', () => {
    const lambdaRoles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } },
    }) as Resources;
    expect(Object.keys(lambdaRoles)).toHaveLength(6); // one per function: authorizer, catalog, jobs, admin, reconciler, rotation
    for (const role of Object.values(lambdaRoles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    for (const fn of ['Authorizer', 'Catalog', 'Jobs', 'Admin', 'Reconciler', 'Rotation']) {
      expect(rolePolicy(template, fn)).toContain('{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":{"Fn::GetAtt":["AuditLog');
    }
  });

  it('lets the authorizer and the catalog only read the ledger (revocations)', () => {
    for (const fn of ['Authorizer', 'Catalog']) {
      expect(rolePolicy(template, fn)).toContain('dynamodb:GetItem');
      expect(rolePolicy(template, fn)).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem)/);
    }
  });

  it('lets only the backend callers (jobs, admin, reconciler) write the ledger and read the backend credentials', () => {
    for (const fn of ['Jobs', 'Admin', 'Reconciler']) {
      expect(rolePolicy(template, fn)).toContain('dynamodb:UpdateItem');
      expect(allowedResources(template, fn, 'secretsmanager:GetSecretValue')).toContainEqual(expect.stringMatching(/^\{"Ref":"SecretsDatabricks[0-9A-F]{8}"\}$/));
    }
    // the reconciler settles existing rows: it creates and deletes none
    expect(rolePolicy(template, 'Reconciler')).not.toMatch(/dynamodb:(PutItem|DeleteItem)/);
    for (const fn of ['Authorizer', 'Catalog']) expect(rolePolicy(template, fn)).not.toContain('secretsmanager:');
  });

  it('names the rows each role may touch by their partition-key prefix, and never grants Scan or batch writes', () => {
    const leadingKeys = (fn: string) =>
      [...rolePolicy(template, fn).matchAll(/"dynamodb:LeadingKeys":\[([^\]]*)\]/g)].map((m) => m[1]).join(' ');
    expect(leadingKeys('Authorizer')).toBe('"REVOCATION#*"');
    expect(leadingKeys('Catalog')).toBe('"REVOCATION#*"');
    expect(leadingKeys('Reconciler')).toBe('"JOB#*" "REVOCATION#*"');
    for (const fn of ['Authorizer', 'Catalog', 'Jobs', 'Admin', 'Reconciler']) expect(rolePolicy(template, fn)).not.toMatch(/dynamodb:(Scan|BatchWriteItem|BatchGetItem|\*)/);
  });

  it('lets only the jobs function and the reconciler read the MAC key, and denies it to every other principal in the secret\'s own policy', () => {
    for (const fn of ['Jobs', 'Reconciler']) expect(allowedResources(template, fn, 'secretsmanager:GetSecretValue')).toContainEqual(expect.stringMatching(/^\{"Ref":"MacKey[0-9A-F]{8}"\}$/));
    for (const fn of ['Authorizer', 'Catalog', 'Admin', 'Rotation']) expect(rolePolicy(template, fn)).not.toContain('MacKey');
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: { Ref: Match.stringLikeRegexp('^MacKey') },
      ResourcePolicy: {
        Statement: [
          {
            Action: 'secretsmanager:GetSecretValue',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: '*',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsJobsRole'), 'Arn'] },
                  { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsReconcilerRole'), 'Arn'] },
                ],
              },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('submits, lists and cancels jobs'),
      Environment: { Variables: Match.objectLike({ MAC_KEY_SECRET_ID: { Ref: Match.stringLikeRegexp('^MacKey') } }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('settles unconfirmed job reservations'),
      Environment: { Variables: Match.objectLike({ MAC_KEY_SECRET_ID: { Ref: Match.stringLikeRegexp('^MacKey') } }) },
    });
  });

  it('lets jobs, admin and the reconciler put approval events on the default bus only, as data-job-gateway only', () => {
    for (const fn of ['Jobs', 'Admin', 'Reconciler']) {
      expect(rolePolicy(template, fn)).toContain(
        JSON.stringify({ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'data-job-gateway' } }, Effect: 'Allow', Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' }),
      );
    }
    for (const fn of ['Authorizer', 'Catalog', 'Rotation']) expect(rolePolicy(template, fn)).not.toContain('events:PutEvents');
  });

  it('lets the rotation function rotate the secrets, and nothing in the ledger', () => {
    const policy = rolePolicy(template, 'Rotation');
    expect(policy).toContain('secretsmanager:PutSecretValue');
    expect(policy).toContain('secretsmanager:UpdateSecretVersionStage');
    expect(policy).not.toContain('dynamodb:');
  });

  it('runs the reconciler on the configured schedule, without retries (the next pass is the retry)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsReconciler'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
  });

  it('outputs what a platform engineer needs after deploying', () => {
    for (const output of ['ApiUrl', 'AuditLogGroupName', 'AccessLogGroupName', 'LedgerTableName', 'BackendRoleArns', 'DatabricksSecretArn']) {
      template.hasOutput(output, { Value: Match.anyValue(), Description: Match.anyValue() });
    }
    const role = (fn: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^Functions${fn}Role`), 'Arn'] });
    template.hasOutput('BackendRoleArns', { Value: { 'Fn::Join': [',', [role('Jobs'), role('Admin'), role('Reconciler')]] } });
  });
});

describe('DataJobGatewayStack variants', () => {
  it('creates no rotation function, secret or secrets key for Dataproc alone with Workload Identity', () => {
    // GIVEN a Dataproc-only config with no credential to hold
    const config = testConfig((raw) => delete raw.databricks);

    // WHEN
    const { stack, template } = buildStack(config, [DATAPROC_TEMPLATE]);

    // THEN
    expect(stack.functions.rotation).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Function', 5);
    // only the MAC key
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('holds the Google key as a rotated secret, read by the backend callers, in service-account-key mode', () => {
    // GIVEN
    const config = testConfig((raw) => (raw.dataproc.credentials = { type: 'service-account-key', serviceAccount: 'gateway@acme-data-test.iam.gserviceaccount.com' }));

    // WHEN
    const { template } = buildStack(config);

    // THEN
    template.resourceCountIs('AWS::SecretsManager::Secret', 3); // Databricks, the Google key, the MAC key
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GOOGLE_KEY_SECRET_ID: { Ref: Match.stringLikeRegexp('^SecretsGoogleServiceAccountKey') } }) } });
    expect(allowedResources(template, 'Jobs', 'secretsmanager:GetSecretValue')).toContainEqual(expect.stringMatching(/^\{"Ref":"SecretsGoogleServiceAccountKey[0-9A-F]{8}"\}$/));
    template.hasOutput('GoogleServiceAccountKeySecretArn', Match.anyValue());
  });

  it('schedules no rotation (and creates no rotation function) when rotation is disabled', () => {
    const { stack, template } = buildStack(testConfig((raw) => (raw.rotation = { enabled: false })));
    expect(stack.functions.rotation).toBeUndefined();
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('gives each rotated secret an alarm on its own credential\'s failures, and the rotation function one for the rest', () => {
    // GIVEN a Databricks token and a Google key, both rotated
    const config = testConfig((raw) => (raw.dataproc.credentials = { type: 'service-account-key', serviceAccount: 'gateway@acme-data-test.iam.gserviceaccount.com' }));

    // WHEN
    const { template } = buildStack(config);

    // THEN three rotation alarms, each on a signal no other alarm watches
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Resources;
    const rotationAlarms = Object.values(alarms).filter((a) => /rotation/.test(a.Properties.AlarmName));
    expect(rotationAlarms.map((a) => a.Properties.AlarmName).sort()).toEqual([
      'TestGateway-databricks-pat-rotation-failures',
      'TestGateway-google-service-account-key-rotation-failures',
      'TestGateway-rotation-function-errors',
    ]);
    const signal = (p: Record<string, any>) => JSON.stringify(p.Metrics ?? [p.Namespace, p.MetricName, p.Dimensions]);
    const signals = Object.values(alarms).map((a) => signal(a.Properties));
    expect(new Set(signals).size).toBe(signals.length);
    const credentialOf = (name: string) => rotationAlarms.find((a) => a.Properties.AlarmName === name)!.Properties.Dimensions.find((d: { Name: string }) => d.Name === 'credential').Value;
    expect(credentialOf('TestGateway-databricks-pat-rotation-failures')).toBe('databricks-pat');
    expect(credentialOf('TestGateway-google-service-account-key-rotation-failures')).toBe('google-service-account-key');
  });

  it('has no reconciler or schedule when the reconciler is disabled', () => {
    const { stack, template } = buildStack(testConfig((raw) => (raw.reconciler = { enabled: false })));
    expect(stack.functions.reconciler).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  it('rotates on the configured interval and alarms to the alarm topic when a rotation fails', () => {
    const { stack, template } = buildStack(testConfig((raw) => (raw.rotation = { intervalDays: 7 })));
    expect(stack.rotations).toHaveLength(1);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' }, RotateImmediatelyOnUpdate: false });
    const alarms = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmActions: [{ Ref: Match.stringLikeRegexp('^ObservabilityAlarmTopic') }] } });
    expect(Object.values(alarms).map((a) => a.Properties.AlarmName)).toContain('TestGateway-databricks-pat-rotation-failures');
  });

  it('schedules rotation of a Databricks OAuth client secret, whose lifetime must outlast the interval like a token\'s', () => {
    const { stack, template } = buildStack(testConfig((raw) => (raw.databricks.credentials = { type: 'oauth-m2m' })));
    expect(stack.functions.rotation).toBeDefined();
    template.resourceCountIs('AWS::SecretsManager::Secret', 2); // the OAuth secret and the MAC key
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    const tooShort = testConfig((raw) => {
      raw.databricks.credentials = { type: 'oauth-m2m' };
      raw.rotation = { intervalDays: 60, tokenLifetimeDays: 45 };
    });
    expect(() => buildStack(tooShort)).toThrow(/token lifetime must be longer than the rotation interval/);
  });

  it('fails when tokens would expire before the next rotation replaces them', () => {
    const config = testConfig((raw) => (raw.rotation = { intervalDays: 60, tokenLifetimeDays: 45 }));
    expect(() => buildStack(config)).toThrow(/token lifetime must be longer than the rotation interval \(60 days\), got 45 days/);
  });

  it('watches the gateway with a dashboard, alarms to a topic, and the saved audit queries over the audit log', () => {
    const { template } = buildStack();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::Logs::QueryDefinition', { LogGroupNames: [{ Ref: Match.stringLikeRegexp('^AuditLog') }] });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: Match.stringLikeRegexp('^ObservabilityAlarmTopic') } });
  });

  it('fails when a template runs on a backend the config leaves out', () => {
    const config = testConfig((raw) => delete raw.dataproc);
    expect(() => buildStack(config, [DATAPROC_TEMPLATE])).toThrow('/dataproc is not configured, but template "daily-sales-etl"');
  });
});
