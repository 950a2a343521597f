// Renders a template's backend block with validated parameter values. Placeholders only ever fill string values.
import type { ValidateFunction } from 'ajv';
import { createAjv, fieldErrors } from '../../contract/validation.js';
import { TemplateError } from './errors.js';
import type { Template } from '../../contract/template.js';
import { DatabricksRunNowRequest, DatabricksSubmitRequest, DataprocBatchRequest, DataprocJobRequest } from './template-schema.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const LONE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/** Every placeholder in a block with its JSON path; throws when a key holds one or a `{{` is malformed. */
export function findPlaceholders(block: unknown, file: string, path = ''): { name: string; path: string }[] {
  if (typeof block === 'string') {
    const names = [...block.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1]!, path }));
    if (block.replace(PLACEHOLDER, '').includes('{{')) throw new TemplateError(file, `${path || '/'} has a malformed placeholder: ${JSON.stringify(block)}`);
    return names;
  }
  if (Array.isArray(block)) return block.flatMap((v, i) => findPlaceholders(v, file, `${path}/${i}`));
  if (block && typeof block === 'object') {
    return Object.entries(block).flatMap(([k, v]) => {
      if (k.includes('{{') || k.includes('}}')) throw new TemplateError(file, `${path}/${k}: a placeholder may not name a field`);
      return findPlaceholders(v, `${file}`, `${path}/${k}`);
    });
  }
  return [];
}

/** Substitute values: a string that is exactly one placeholder takes the value with its type; otherwise values are spliced in as text. */
export function substitute(node: unknown, values: Readonly<Record<string, unknown>>): unknown {
  if (typeof node === 'string') {
    const lone = LONE_PLACEHOLDER.exec(node);
    if (lone) return structuredClone(values[lone[1]!]);
    // One pass with a function: a value that itself contains "{{x}}" is never expanded again.
    return node.replace(PLACEHOLDER, (_, name: string) => {
      const v = values[name];
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(node)) return node.map((v) => substitute(v, values));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = substitute(v, values);
    return out;
  }
  return node;
}

/** A rendered request that does not fit the backend's request shape. */
export class RenderedRequestInvalid extends Error {
  override readonly name = 'RenderedRequestInvalid';
  constructor(readonly problems: readonly { pointer: string; detail: string }[]) {
    super(problems.map((p) => `${p.pointer} ${p.detail}`).join('; '));
  }
}

// Coercion turns e.g. an integer shard count in a Dataproc `args` list into the string the API requires.
const requestAjv = createAjv({ coerceTypes: true });
const validators: Record<string, ValidateFunction> = {};
function requestValidator(kind: 'job' | 'batch' | 'runNow' | 'submit'): ValidateFunction {
  const schema = { job: DataprocJobRequest, batch: DataprocBatchRequest, runNow: DatabricksRunNowRequest, submit: DatabricksSubmitRequest }[kind];
  return (validators[kind] ??= requestAjv.compile(schema));
}

/** The backend block this template renders: `{job}`, `{batch}`, `{runNow}` or `{submit}`. */
function backendBlock(t: Template): { kind: 'job' | 'batch' | 'runNow' | 'submit'; body: Record<string, unknown> } {
  if (t.backend === 'dataproc') {
    return t.dataproc!.job ? { kind: 'job', body: t.dataproc!.job } : { kind: 'batch', body: t.dataproc!.batch! };
  }
  return t.databricks!.runNow ? { kind: 'runNow', body: t.databricks!.runNow } : { kind: 'submit', body: t.databricks!.submit! };
}

/** Render and validate the request; throws RenderedRequestInvalid. Values must already satisfy the parameter schema. */
export function renderRequest(t: Template, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { kind, body } = backendBlock(t);
  const rendered = substitute(body, values) as Record<string, unknown>;
  const validate = requestValidator(kind);
  if (!validate(rendered)) {
    throw new RenderedRequestInvalid(fieldErrors(validate.errors ?? [], { root: `/${kind}` }));
  }
  return { [kind]: rendered };
}

/**
 * The request as approvers see it: rendered with the masked parameters (secret values `***`, personal ones as their
 * fingerprint), not validated, never sent anywhere.
 */
export function renderForReview(t: Template, masked: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { kind, body } = backendBlock(t);
  const rendered = substitute(body, masked) as Record<string, unknown>;
  // The same coercion as the request sent (an integer in `args` shows as the string it becomes); a mask that breaks
  // the request's shape is no error here: this copy is only read.
  requestValidator(kind)(rendered);
  return { [kind]: rendered };
}

/** Load-time check: the template renders to a valid request. */
export function checkRenderedRequest(t: Template, values: Record<string, unknown>): void {
  try {
    renderRequest(t, values);
  } catch (err) {
    if (err instanceof RenderedRequestInvalid) throw new TemplateError(t.file, `the rendered ${t.backend} request is invalid: ${err.message}`, { cause: err });
    throw err;
  }
}
