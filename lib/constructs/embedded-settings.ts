// What each function bundle carries: the validated config and templates, as the esbuild `define` that lambda/runtime/settings.ts reads.
import { isAbsolute, relative, sep } from 'node:path';
import type { GatewayConfig } from '../config.js';
import type { Template } from '../../lambda/core/template.js';
import type { GatewaySettings } from '../../lambda/runtime/settings.js';
import { InvalidSetting } from './invalid-setting.js';

/** Linux caps one command-line argument at 128 KiB and esbuild receives the define as one; keep a margin. */
export const MAX_EMBEDDED_SETTINGS_BYTES = 120_000;

/** The settings a deployed function needs, and nothing that is only for this machine or for local mode's secrets. */
export function deployedSettings(config: GatewayConfig, templates: readonly Template[], projectRoot: string): GatewaySettings {
  checkBackendsConfigured(config, templates, projectRoot);
  // loadConfigFile adds absolute paths; they would make every clone's bundle (and asset hash) different.
  const { sourceFile: _file, templatesPath: _path, ...schemaFields } = config as GatewayConfig & { sourceFile?: string; templatesPath?: string };
  return {
    config: { ...schemaFields, local: { ...config.local, secrets: {} } },
    templates: templates.map((t) => ({ ...t, file: portablePath(t.file, projectRoot) })),
  };
}

/** The esbuild `define` value: a JS string literal holding the settings JSON. Throws InvalidSetting when too large to pass. */
export function settingsDefine(settings: GatewaySettings): string {
  const define = JSON.stringify(JSON.stringify(settings));
  const bytes = Buffer.byteLength(define);
  if (bytes > MAX_EMBEDDED_SETTINGS_BYTES) {
    throw new InvalidSetting(
      '/templatesDir',
      `holds ${settings.templates.length} templates that embed as ${bytes} bytes, above the ${MAX_EMBEDDED_SETTINGS_BYTES} bytes a function bundle can carry; split the gateway or trim the templates`,
    );
  }
  return define;
}

function checkBackendsConfigured(config: GatewayConfig, templates: readonly Template[], projectRoot: string): void {
  for (const t of templates) {
    if (!config[t.backend]) {
      throw new InvalidSetting(`/${t.backend}`, `is not configured, but template "${t.id}" (${portablePath(t.file, projectRoot)}) runs on ${t.backend}`);
    }
  }
}

function portablePath(file: string, root: string): string {
  return isAbsolute(file) ? relative(root, file).split(sep).join('/') : file;
}
