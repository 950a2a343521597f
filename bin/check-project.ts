// The checks `npm run validate` and `cdk synth` share, before anything is built or bundled: the config, every
// template, and the groups they name against what the issuers may assert.
import { assertGroupsAssertable, loadConfigFile, type GatewayConfig } from '../lib/config.js';
import type { Template } from '../contract/template.js';
import { loadTemplateDir } from '../lambda/adapters/template-files.js';

export function checkProject(configFile: string): { config: ReturnType<typeof loadConfigFile>; templates: Template[] } {
  const config = loadConfigFile(configFile);
  const templates = loadTemplateDir(config.templatesPath);
  // A group no issuer may assert can never match: a missing trustedGroups entry, caught before anything deploys.
  assertGroupsAssertable(config satisfies GatewayConfig, templates, configFile);
  return { config, templates };
}
