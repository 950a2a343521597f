// What a function bundle carries: its runtime settings (lib/runtime-settings.ts), as the esbuild `define` that
// lambda/runtime/settings.ts reads at cold start.
import type { GatewayConfig } from '../config.js';
import type { Template } from '../../contract/template.js';
import { InvalidSetting } from './invalid-setting.js';

/** Linux caps one command-line argument at 128 KiB and esbuild receives the define as one; keep a margin. */
export const MAX_EMBEDDED_SETTINGS_BYTES = 120_000;

/** The esbuild `define` value: a JS string literal holding the settings JSON. Throws InvalidSetting when too large to pass. */
export function settingsDefine(settings: object): string {
  const define = JSON.stringify(JSON.stringify(settings));
  const bytes = Buffer.byteLength(define);
  if (bytes > MAX_EMBEDDED_SETTINGS_BYTES) {
    const templates = 'templates' in settings && Array.isArray(settings.templates) ? settings.templates.length : 0;
    throw new InvalidSetting(
      '/templatesDir',
      `holds ${templates} templates that embed as ${bytes} bytes, above the ${MAX_EMBEDDED_SETTINGS_BYTES} bytes a function bundle can carry; split the gateway or trim the templates`,
    );
  }
  return define;
}

/** Every template's backend must be configured: a template that could never run is a deploy-time error. */
export function checkBackendsConfigured(config: Pick<GatewayConfig, 'dataproc' | 'databricks'>, templates: readonly Template[]): void {
  for (const t of templates) {
    if (!config[t.backend]) {
      throw new InvalidSetting(`/${t.backend}`, `is not configured, but template "${t.id}" (${t.file}) runs on ${t.backend}`);
    }
  }
}
