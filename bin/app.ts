// The CDK app: load and validate the config (`-c config=<file>`) and the templates, then build and check the stack.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lib/config.js';
import { InvalidSetting } from '../lib/constructs/invalid-setting.js';
import { InvalidRotationSchedule } from '../lib/constructs/rotation.js';
import { DataJobGatewayStack } from '../lib/data-job-gateway-stack.js';
import { TemplateError } from '../lambda/core/errors.js';
import { checkProject } from './check-project.js';

const app = new App();
const configFile = String(app.node.tryGetContext('config') ?? 'config/example.yaml');

try {
  // the same checks as npm run validate, before the stack (and its bundling) is built
  const { config, templates } = checkProject(configFile);
  new DataJobGatewayStack(app, config.name, {
    config,
    templates,
    env: {
      account: config.env?.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: config.env?.region ?? process.env.CDK_DEFAULT_REGION,
    },
  });
  // Every AwsSolutions finding is either fixed or acknowledged with a reason in the constructs; a new one fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (err) {
  // A bad config or template is the user's to fix: say what and where, without a stack trace.
  if (err instanceof ConfigError || err instanceof TemplateError) fail(err.message);
  if (err instanceof InvalidSetting) fail(`${configFile}: invalid config\n  - ${err.message}`);
  if (err instanceof InvalidRotationSchedule) fail(`${configFile}: invalid config\n  - /rotation: ${err.message}`);
  throw err;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
