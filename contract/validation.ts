// One JSON Schema validator setup and one way to report its errors, for every schema the project checks: the config
// (lib/config.ts), templates, request bodies and parameters (lambda/), the audit line, djg's config file.
import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** One way to build ajv instances: all errors (one entry per bad field), formats, and no prototype tricks. */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

/** One bad part of a validated value. */
export interface FieldError {
  /** JSON Pointer into the value, e.g. `/parameters/date`. */
  readonly pointer: string;
  readonly detail: string;
}

export interface FieldErrorWording {
  /** Prefix of every pointer: where the validated value sits in what the user sent. @default '' */
  readonly root?: string;
  /** What a member the schema does not allow is said to be. @default 'is not a known field' */
  readonly unknownMember?: string;
}

/** One ajv error as a field error: a missing or unknown member is pointed at itself, enums list their values. */
function fieldError(e: ErrorObject, wording: FieldErrorWording): FieldError {
  const pointer = `${wording.root ?? ''}${e.instancePath}`;
  if (e.keyword === 'required') return { pointer: `${pointer}/${escapePointer(String(e.params.missingProperty))}`, detail: 'is required' };
  if (e.keyword === 'additionalProperties') {
    return { pointer: `${pointer}/${escapePointer(String(e.params.additionalProperty))}`, detail: wording.unknownMember ?? 'is not a known field' };
  }
  if (e.keyword === 'enum') return { pointer, detail: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
  return { pointer, detail: e.message ?? 'is invalid' };
}

/**
 * Errors of a caller's request: one entry per field, several complaints about one field joined. Values are never
 * echoed (they may be sensitive).
 */
export function fieldErrors(errors: readonly ErrorObject[], wording: FieldErrorWording = {}): FieldError[] {
  const byPointer = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const { pointer, detail } = fieldError(e, wording);
    const list = byPointer.get(pointer) ?? [];
    if (!list.includes(detail)) list.push(detail);
    byPointer.set(pointer, list);
  }
  return [...byPointer].map(([pointer, details]) => ({ pointer, detail: details.join('; ') }));
}

/**
 * Errors of a file the reader wrote themselves (config, templates): `<pointer> <what is wrong> (got <value>)`, one line
 * per field; the value is shown because it is the author's own.
 */
export function describeErrors(errors: readonly ErrorObject[], value: unknown): string[] {
  // A union of literals (TypeBox's way of writing an enum) fails with one `const` error per literal: one line lists them.
  const consts = new Map<string, unknown[]>();
  for (const e of errors) if (e.keyword === 'const') consts.set(e.instancePath, [...(consts.get(e.instancePath) ?? []), e.params.allowedValue]);
  const lines = errors
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if')
    .map((e) => {
      if (e.keyword === 'const' && (consts.get(e.instancePath)?.length ?? 0) > 1) {
        return `${e.instancePath || '/'} must be one of ${consts.get(e.instancePath)!.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(valueAt(value, e.instancePath))})`;
      }
      const { pointer, detail } = fieldError(e, {});
      const shown = e.keyword === 'additionalProperties' ? didYouMean(e) : e.keyword === 'required' ? '' : ` (got ${JSON.stringify(valueAt(value, e.instancePath))})`;
      return `${pointer || '/'} ${detail}${shown}`;
    });
  return [...new Set(lines)];
}

/** For an unknown key, the nearest known one (ajv's `verbose` gives the schema): `; did you mean "region"?`. */
function didYouMean(e: ErrorObject): string {
  const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  if (!known.length) return '';
  const name = String(e.params.additionalProperty);
  const [best] = known.map((k) => [k, editDistance(name.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1]);
  const near = best && best[1] <= Math.max(2, Math.floor(name.length / 3));
  return near ? `; did you mean ${JSON.stringify(best[0])}?` : `; the known fields are ${known.join(', ')}`;
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
