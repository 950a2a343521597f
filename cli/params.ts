// `-p key=value` and `--params-file`: command-line text turned into the JSON the template's parameter schema expects,
// so `-p shards=8` sends the integer 8 and `-p fullRefresh=true` the boolean. The gateway validates the result; this
// only reads each value the way its schema types it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { UsageError } from './errors.js';

type Schema = Record<string, unknown>;

const KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

/** Parameters from a JSON or YAML file: one object of name → value. */
export function readParamsFile(file: string, cwd: string): Record<string, unknown> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --params-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both
    value = YAML.parse(text);
  } catch (err) {
    throw new UsageError(`--params-file ${file} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--params-file ${file} must hold one object of parameter names and values`);
  return value as Record<string, unknown>;
}

/** Each `key=value`, its value read as the template's schema types that parameter; later flags win. */
export function parseParamFlags(flags: readonly string[], schema: Schema): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const closed = schema.additionalProperties === false;
  const out: Record<string, unknown> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`-p takes name=value (got ${JSON.stringify(flag)})`);
    const key = flag.slice(0, eq);
    const text = flag.slice(eq + 1);
    if (!KEY.test(key)) throw new UsageError(`-p ${key}: not a parameter name`);
    if (closed && !Object.hasOwn(properties, key)) {
      const known = Object.keys(properties);
      throw new UsageError(`-p ${key}: the template has no such parameter${known.length ? `; its parameters are ${known.join(', ')}` : ''}`);
    }
    out[key] = coerce(text, Object.hasOwn(properties, key) ? properties[key]! : {}, `-p ${key}`);
  }
  return out;
}

const typesOf = (schema: Schema): string[] => {
  if (Array.isArray(schema.type)) return schema.type.map(String);
  if (typeof schema.type === 'string') return [schema.type];
  // an enum of one type says the type
  if (Array.isArray(schema.enum) && schema.enum.length) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v)))];
  return [];
};

/** One value read as its schema's type; with several types, the first that reads wins, string last. */
function coerce(text: string, schema: Schema, what: string): unknown {
  const types = typesOf(schema);
  if (types.length === 0) return text;
  const order = ['null', 'boolean', 'integer', 'number', 'array', 'object', 'string'].filter((t) => types.includes(t));
  for (const type of order) {
    const value = read(text, type, schema, what);
    if (value !== NO) return value;
  }
  throw new UsageError(`${what}: expects ${types.join(' or ')}${Array.isArray(schema.enum) ? ` (one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')})` : ''}, got ${JSON.stringify(text)}`);
}

const NO = Symbol('not this type');

function read(text: string, type: string, schema: Schema, what: string): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'null':
      return text === 'null' ? null : NO;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : NO;
    case 'integer':
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : NO;
    case 'number':
      return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NO;
    case 'array': {
      if (text.trim().startsWith('[')) return json(text, Array.isArray, what);
      // a,b,c: each item read as the items' schema says
      const items = (typeof schema.items === 'object' && schema.items !== null ? schema.items : {}) as Schema;
      return text === '' ? [] : text.split(',').map((part, i) => coerce(part.trim(), items, `${what}[${i}]`));
    }
    case 'object':
      return json(text, (v) => v !== null && typeof v === 'object' && !Array.isArray(v), what);
    default:
      return NO;
  }
}

function json(text: string, ok: (v: unknown) => boolean, what: string): unknown {
  try {
    const v: unknown = JSON.parse(text);
    return ok(v) ? v : NO;
  } catch {
    throw new UsageError(`${what}: not valid JSON: ${text.slice(0, 80)}`);
  }
}
