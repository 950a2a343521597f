// What each function bundle carries: its own narrow settings (lib/runtime-settings.ts), through the esbuild define
// (lib/constructs/embedded-settings.ts), checked at cold start (lambda/runtime/settings.ts).
import { FUNCTION_NAMES } from '../../contract/settings.js';
import { checkBackendsConfigured, MAX_EMBEDDED_SETTINGS_BYTES, settingsDefine } from '../../lib/constructs/embedded-settings.js';
import { InvalidSetting } from '../../lib/constructs/invalid-setting.js';
import { runtimeSettings } from '../../lib/runtime-settings.js';
import { checkSettings, InvalidRuntimeSettings } from '../../lambda/runtime/settings.js';
import { DATABRICKS_TEMPLATE, DATAPROC_TEMPLATE, testConfig } from './fixtures.js';

const ROOT = '/somewhere/on/this/machine';

describe('embedded settings', () => {
  it('round-trips through the esbuild define, and each function\'s settings pass its own cold-start check', () => {
    // GIVEN a config and templates
    const all = runtimeSettings(testConfig(), [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE], ROOT);

    for (const fn of FUNCTION_NAMES) {
      // WHEN the define value is evaluated as the JS string literal esbuild inlines, then read like readSettings()
      const parsed: unknown = JSON.parse(JSON.parse(settingsDefine(all[fn])) as string);

      // THEN the function sees exactly its settings, and they pass its check
      expect(parsed).toEqual(all[fn]);
      expect(checkSettings(fn, parsed)).toEqual(all[fn]);
    }
    expect(all.authorizer.auth.issuers).toEqual(testConfig().auth.issuers);
    expect(all.jobs.templates.map((t) => t.id)).toEqual(['daily-sales-etl', 'refresh-features']);
  });

  it('gives each function only what it reads', () => {
    const all = runtimeSettings(testConfig(), [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE], ROOT);
    expect(Object.keys(all.authorizer)).toEqual(['auth']);
    expect(Object.keys(all.catalog).sort()).toEqual(['maxBodyBytes', 'templates']);
    expect(Object.keys(all.rotation).sort()).toEqual(['databricks', 'dataproc', 'tokenLifetimeDays']);
    for (const fn of FUNCTION_NAMES) expect(JSON.stringify(all[fn])).not.toContain('"local"');
  });

  it('leaves out machine paths and local-mode secrets', () => {
    // GIVEN a config as loadConfigFile returns it, with local secrets and absolute paths
    const config = Object.assign(testConfig((raw) => (raw.local = { secrets: { 'dbx/local': '{"token":"not-for-the-cloud"}' } })), {
      sourceFile: `${ROOT}/config/x.yaml`,
      templatesPath: `${ROOT}/templates`,
    });

    // WHEN
    const all = runtimeSettings(config, [{ ...DATAPROC_TEMPLATE, file: `${ROOT}/templates/daily-sales-etl.yaml` }], ROOT);

    // THEN
    for (const fn of FUNCTION_NAMES) {
      const text = settingsDefine(all[fn]);
      expect(text).not.toContain('not-for-the-cloud');
      expect(text).not.toContain(ROOT);
    }
    expect(all.jobs.templates[0]!.file).toBe('templates/daily-sales-etl.yaml');
  });

  it('fails at cold start when a bundle carries settings this code does not expect', () => {
    const jobs = runtimeSettings(testConfig(), [DATAPROC_TEMPLATE], ROOT).jobs;
    expect(() => checkSettings('jobs', { ...jobs, maxBodyBytes: 'large' })).toThrow(InvalidRuntimeSettings);
    expect(() => checkSettings('jobs', { ...jobs, maxBodyBytes: 'large' })).toThrow(/the jobs function's embedded settings are not what this code expects: \/maxBodyBytes/);
    expect(() => checkSettings('authorizer', jobs)).toThrow(/the authorizer function's embedded settings/);
  });

  it('fails when a template runs on a backend the config does not configure', () => {
    // GIVEN a config without Databricks
    const config = testConfig((raw) => delete raw.databricks);

    const templates = runtimeSettings(config, [DATABRICKS_TEMPLATE], ROOT).jobs.templates;

    // WHEN / THEN
    expect(() => checkBackendsConfigured(config, templates)).toThrow(InvalidSetting);
    expect(() => checkBackendsConfigured(config, templates)).toThrow(
      '/databricks is not configured, but template "refresh-features" (templates/refresh-features.yaml) runs on databricks',
    );
  });

  it('fails when the templates are too large to pass to esbuild', () => {
    // GIVEN templates whose embedded form exceeds the limit
    const huge = { ...DATAPROC_TEMPLATE, description: 'x'.repeat(MAX_EMBEDDED_SETTINGS_BYTES) };

    // WHEN / THEN
    expect(() => settingsDefine(runtimeSettings(testConfig(), [huge], ROOT).jobs)).toThrow(/^\/templatesDir holds 1 templates that embed as \d+ bytes, above the 120000 bytes/);
  });
});
