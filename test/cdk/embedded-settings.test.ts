import { deployedSettings, MAX_EMBEDDED_SETTINGS_BYTES, settingsDefine } from '../../lib/constructs/embedded-settings.js';
import { InvalidSetting } from '../../lib/constructs/invalid-setting.js';
import { DATABRICKS_TEMPLATE, DATAPROC_TEMPLATE, testConfig } from './fixtures.js';

const ROOT = '/somewhere/on/this/machine';

describe('embedded settings', () => {
  it('round-trips through the esbuild define exactly as lambda/runtime/settings.ts reads it', () => {
    // GIVEN a config and templates
    const settings = deployedSettings(testConfig(), [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE], ROOT);

    // WHEN the define value is evaluated as the JS string literal esbuild inlines, then parsed like embeddedSettings()
    const literal = JSON.parse(settingsDefine(settings)) as string;
    const parsed = JSON.parse(literal);

    // THEN the function sees the same config and templates
    expect(parsed.config.auth).toEqual(testConfig().auth);
    expect(parsed.templates.map((t: { id: string }) => t.id)).toEqual(['daily-sales-etl', 'refresh-features']);
  });

  it('leaves out machine paths and local-mode secrets', () => {
    // GIVEN a config as loadConfigFile returns it, with local secrets and absolute paths
    const config = Object.assign(testConfig((raw) => (raw.local = { secrets: { 'dbx/local': '{"token":"not-for-the-cloud"}' } })), {
      sourceFile: `${ROOT}/config/x.yaml`,
      templatesPath: `${ROOT}/templates`,
    });

    // WHEN
    const text = settingsDefine(deployedSettings(config, [DATAPROC_TEMPLATE], ROOT));

    // THEN
    expect(text).not.toContain('not-for-the-cloud');
    expect(text).not.toContain(ROOT);
    expect(JSON.parse(JSON.parse(text)).templates[0].file).toBe('templates/daily-sales-etl.yaml');
  });

  it('fails when a template runs on a backend the config does not configure', () => {
    // GIVEN a config without Databricks
    const config = testConfig((raw) => delete raw.databricks);

    // WHEN / THEN
    expect(() => deployedSettings(config, [DATABRICKS_TEMPLATE], ROOT)).toThrow(InvalidSetting);
    expect(() => deployedSettings(config, [DATABRICKS_TEMPLATE], ROOT)).toThrow(
      '/databricks is not configured, but template "refresh-features" (templates/refresh-features.yaml) runs on databricks',
    );
  });

  it('fails when the templates are too large to pass to esbuild', () => {
    // GIVEN templates whose embedded form exceeds the limit
    const huge = { ...DATAPROC_TEMPLATE, description: 'x'.repeat(MAX_EMBEDDED_SETTINGS_BYTES) };

    // WHEN / THEN
    expect(() => settingsDefine(deployedSettings(testConfig(), [huge], ROOT))).toThrow(/^\/templatesDir holds 1 templates that embed as \d+ bytes, above the 120000 bytes/);
  });
});
