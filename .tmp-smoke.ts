import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStack, testConfig } from './test/cdk/fixtures.js';
import { loadConfigFile } from './lib/config.js';
const { stack, template } = buildStack(loadConfigFile('config/example.yaml'));
const report = new AwsSolutionsChecks().validateScope(stack);
console.log(JSON.stringify(report, null, 1).slice(0, 20000));
