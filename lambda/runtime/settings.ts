// What a deployed function knows: its own settings (contract/settings.ts RUNTIME_SETTINGS), embedded at synth by esbuild
// `define` (lib/constructs/embedded-settings.ts) and checked here at cold start, and the deploy-time resource names.
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RUNTIME_SETTINGS, type FunctionName, type RuntimeSettings } from '../../contract/settings.js';

declare const __GATEWAY_SETTINGS__: string | undefined;

export class InvalidRuntimeSettings extends Error {
  override readonly name = 'InvalidRuntimeSettings';
}

/** `format: email` as lib/config.ts checked it at synth (ajv-formats); TypeBox knows no formats of its own. */
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/** Check settings against the function's schema: a bundle built by another version of the stack fails here, at init. */
export function checkSettings<F extends FunctionName>(fn: F, value: unknown): RuntimeSettings<F> {
  if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (v) => EMAIL.test(v));
  const schema = RUNTIME_SETTINGS[fn];
  if (Value.Check(schema, value)) return value as RuntimeSettings<F>;
  const problems = [...Value.Errors(schema, value)].slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`);
  throw new InvalidRuntimeSettings(`the ${fn} function's embedded settings are not what this code expects: ${problems.join('; ')}; deploy the bundle with the stack that built it`);
}

/** The settings embedded in this bundle. Throws when run unbundled: local mode derives its settings from the config. */
export function readSettings<F extends FunctionName>(fn: F): RuntimeSettings<F> {
  if (typeof __GATEWAY_SETTINGS__ !== 'string') {
    throw new InvalidRuntimeSettings('no embedded gateway settings: this bundle was not built by the DataJobGateway stack');
  }
  return checkSettings(fn, JSON.parse(__GATEWAY_SETTINGS__));
}

/** A deploy-time environment variable the function cannot run without. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: deploy this function with the DataJobGateway stack`);
  return value;
}
