// `npm run validate [-- --config <file>]`: the checks of `cdk synth` (bin/check-project.ts) without building or
// bundling anything, so a config or template mistake is found in a second, with file:line:column.
import { parseArgs } from 'node:util';
import { ConfigError } from '../lib/config.js';
import { TemplateError } from '../lambda/core/errors.js';
import { checkProject } from './check-project.js';

const started = performance.now();
let configFile: string;
try {
  configFile = parseArgs({ options: { config: { type: 'string', default: 'config/example.yaml' } }, strict: true }).values.config!;
} catch (err) {
  console.error(`${(err as Error).message}\nusage: npm run validate [-- --config <file>]`);
  process.exit(2);
}
try {
  const { templates } = checkProject(configFile);
  console.log(`${configFile} and ${templates.length} templates are valid (${Math.round(performance.now() - started)} ms)`);
} catch (err) {
  if (!(err instanceof ConfigError || err instanceof TemplateError)) throw err;
  console.error(err.message);
  process.exit(1);
}
