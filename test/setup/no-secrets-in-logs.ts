// Suite-wide guard, loaded by jest's `setupFilesAfterEnv` for every test file: nothing the code under test writes to
// stdout, stderr or the console may carry a token or a secret (README.md: "A 5xx never carries a stack trace, a token or a secret").
// Every write is scanned; the test file fails in afterAll, naming the test and the kind of credential, never its value.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterAll, expect } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { findCredentials, redactCredentials, type CredentialKind } from '../../contract/credentials.js';

/**
 * Exact values local mode and its emulators hold: local/local-mode.ts's Databricks PAT and OAuth client secret, and
 * every string in config/local.yaml `local.secrets` (secret name → JSON value).
 */
function knownLocalSecrets(): string[] {
  const known = ['dapi-local-0000000000000000000000000000', 'local-gateway-secret'];
  try {
    const config = parseYaml(readFileSync(fileURLToPath(new URL('../../config/local.yaml', import.meta.url)), 'utf8')) as { local?: { secrets?: Record<string, string> } };
    for (const value of Object.values(config?.local?.secrets ?? {})) known.push(...stringLeaves(value));
  } catch {
    // no local config: the shapes still apply
  }
  // short values (ids, "pat") would match ordinary text
  return [...new Set(known)].filter((s) => s.length >= 12);
}

function stringLeaves(json: string): string[] {
  try {
    const walk = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(walk) : []);
    return walk(JSON.parse(json));
  } catch {
    return [json];
  }
}

interface Leak {
  readonly where: string;
  readonly test: string;
  readonly kinds: readonly CredentialKind[];
  readonly excerpt: string;
}

const KNOWN = knownLocalSecrets();
const leaks: Leak[] = [];
/** Set while a console call runs, so that the stream write it makes (jest run in band) is not reported twice. */
let inConsole = false;

function inspect(where: string, text: string): void {
  const found = findCredentials(text, KNOWN);
  if (!found.length) return;
  let test = '(outside any test)';
  try {
    test = expect.getState().currentTestName ?? test;
  } catch {
    // between tests
  }
  leaks.push({ where, test, kinds: [...new Set(found.map((f) => f.kind))], excerpt: redactCredentials(text, KNOWN).trim().slice(0, 240) });
}

const asText = (chunk: unknown): string => (typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk));

// Powertools Logger and Metrics write to the streams through their own Console; everything else goes through `console`.
const streams = [
  ['stdout', process.stdout],
  ['stderr', process.stderr],
] as const;
const originalWrites = streams.map(([name, stream]) => {
  const original = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (!inConsole) inspect(name, asText(chunk));
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
  return original;
});

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const originalConsole = CONSOLE_METHODS.map((method) => {
  const original = console[method];
  console[method] = (...args: unknown[]) => {
    inspect(`console.${method}`, format(...args));
    inConsole = true;
    try {
      return original.apply(console, args);
    } finally {
      inConsole = false;
    }
  };
  return original;
});

afterAll(() => {
  streams.forEach(([, stream], i) => (stream.write = originalWrites[i]!));
  CONSOLE_METHODS.forEach((method, i) => (console[method] = originalConsole[i]!));
  if (!leaks.length) return;
  const report = leaks.map((l) => `  - ${l.test} wrote ${l.kinds.join(', ')} to ${l.where}: ${l.excerpt}`).join('\n');
  leaks.length = 0;
  throw new Error(`a credential appeared in a log line (redacted here):\n${report}`);
});
