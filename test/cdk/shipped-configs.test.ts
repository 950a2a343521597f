// Every config in config/ synthesizes, with the real templates and the real Lambda entries (bundling skipped).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfigFile } from '../../lib/config.js';
import { RESOURCES, ROUTES } from '../../contract/routes.js';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { TEST_ENV, testApp } from './fixtures.js';

const CONFIGS = readdirSync(join(PROJECT_ROOT, 'config')).filter((f) => /\.ya?ml$/.test(f));

describe('shipped configs', () => {
  it('include the example the README deploys', () => {
    expect(CONFIGS).toContain('example.yaml');
  });

  it.each(CONFIGS)('config/%s synthesizes a stack with every route and no unacknowledged cdk-nag finding', (file) => {
    // GIVEN the config and the templates it names, loaded as `cdk synth` loads them
    const config = loadConfigFile(`config/${file}`, PROJECT_ROOT);
    const templates = loadTemplateDir(config.templatesPath);

    // WHEN
    const stack = new DataJobGatewayStack(testApp(), config.name, { config, templates, env: TEST_ENV });

    // THEN
    const template = Template.fromStack(stack);
    // every route, and an ANY method per resource for the 405s
    template.resourceCountIs('AWS::ApiGateway::Method', ROUTES.length + RESOURCES.length);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: config.name });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('config/example.yaml (rotation.enabled, Databricks oauth-m2m) schedules rotation of the Databricks OAuth secret', () => {
    const config = loadConfigFile('config/example.yaml', PROJECT_ROOT);
    const stack = new DataJobGatewayStack(testApp(), config.name, { config, templates: loadTemplateDir(config.templatesPath), env: TEST_ENV });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: Match.stringLikeRegexp('^SecretsDatabricks') }, RotationRules: { ScheduleExpression: 'rate(30 days)' } });
  });
});
