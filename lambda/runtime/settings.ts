// What a deployed function knows: the validated config and templates, embedded at synth time by esbuild `define`.
import type { GatewayConfig } from '../../lib/config.js';
import type { Template } from '../core/template.js';

export interface GatewaySettings {
  readonly config: GatewayConfig;
  readonly templates: readonly Template[];
}

declare const __GATEWAY_SETTINGS__: string | undefined;

/** The settings embedded in this bundle. Throws when run unbundled: local mode builds its settings from files instead. */
export function embeddedSettings(): GatewaySettings {
  if (typeof __GATEWAY_SETTINGS__ !== 'string') {
    throw new Error('no embedded gateway settings: this bundle was not built by the DataJobGateway stack');
  }
  return JSON.parse(__GATEWAY_SETTINGS__) as GatewaySettings;
}

/** Names of the deployed resources, passed as environment variables because they are only known at deploy time. */
export const ENV = {
  ledgerTable: 'LEDGER_TABLE_NAME',
  databricksSecret: 'DATABRICKS_SECRET_ID',
  googleKeySecret: 'GOOGLE_KEY_SECRET_ID',
  /** The deployment's MAC key secret (only the jobs function's role may read it). */
  macKeySecret: 'MAC_KEY_SECRET_ID',
  /** The stage's base URL: the custom domain, else the execute-api URL with the stage (lib/data-job-gateway-stack.ts). */
  apiBaseUrl: 'API_BASE_URL',
} as const;

/** A deploy-time environment variable the function cannot run without. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: deploy this function with the DataJobGateway stack`);
  return value;
}
