// The settings each function receives (contract/settings.ts RUNTIME_SETTINGS), derived from the validated config and
// templates: at synth for the deployed bundles (lib/constructs/embedded-settings.ts), at start-up in local mode.
import { isAbsolute, relative, sep } from 'node:path';
import type { FunctionName, RuntimeSettings } from '../contract/settings.js';
import type { Template } from '../contract/template.js';
import type { GatewayConfig } from './config.js';

export type AllRuntimeSettings = { readonly [F in FunctionName]: RuntimeSettings<F> };

/**
 * Each function gets only the fields it reads: the authorizer sees no templates, the catalog no backend settings, and
 * nothing carries `local` (local mode's stand-in secrets among them). Template files are named relative to
 * `projectRoot`, so every clone builds the same bundles.
 */
export function runtimeSettings(config: GatewayConfig, templates: readonly Template[], projectRoot: string): AllRuntimeSettings {
  const embedded = templates.map((t) => ({ ...t, file: portablePath(t.file, projectRoot) }));
  const { auth, access, dataproc, databricks } = config;
  const backends = { ...(dataproc && { dataproc }), ...(databricks && { databricks }) };
  const maxBodyBytes = config.api.maxBodyBytes;
  return {
    authorizer: {
      auth: { issuers: auth.issuers, clockSkewSeconds: auth.clockSkewSeconds, maxTokenLength: auth.maxTokenLength, verifiedTokenCacheSize: auth.verifiedTokenCacheSize },
    },
    catalog: { templates: embedded, maxBodyBytes },
    jobs: { templates: embedded, access, maxBodyBytes, ...backends },
    admin: { templates: embedded, access, maxBodyBytes, ...backends },
    reconciler: { templates: embedded, pendingAfterMinutes: config.reconciler.pendingAfterMinutes, ...backends },
    rotation: { tokenLifetimeDays: config.rotation.tokenLifetimeDays, ...backends },
  };
}

function portablePath(file: string, root: string): string {
  return isAbsolute(file) ? relative(root, file).split(sep).join('/') : file;
}
