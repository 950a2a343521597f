// The loaded templates, with each parameter schema compiled once (lazily, so a cold start compiles only what it uses).
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv.js';
import { ParameterValidationFailed, type FieldError } from './errors.js';
import type { Template } from './template.js';

export class TemplateCatalog {
  private readonly byId: ReadonlyMap<string, Template>;
  private readonly validators = new Map<string, ValidateFunction>();
  private ajv: Ajv | undefined;

  constructor(templates: readonly Template[]) {
    this.byId = new Map(templates.map((t) => [t.id, t]));
  }

  get(id: string): Template | undefined {
    return this.byId.get(id);
  }

  all(): readonly Template[] {
    return [...this.byId.values()];
  }

  /** A validated copy of the caller's parameters with defaults filled in; 422 with one entry per bad field otherwise. */
  validateParameters(t: Template, parameters: unknown): Record<string, unknown> {
    let validate = this.validators.get(t.id);
    if (!validate) {
      this.ajv ??= createAjv({ useDefaults: true });
      validate = this.ajv.compile(t.parameters);
      this.validators.set(t.id, validate);
    }
    const copy: unknown = parameters === undefined ? {} : structuredClone(parameters);
    if (!validate(copy)) throw new ParameterValidationFailed(fieldErrors(validate.errors ?? []));
    return copy as Record<string, unknown>;
  }
}

/** ajv errors as one entry per field, pointing into the request body; values are never echoed (they may be sensitive). */
export function fieldErrors(errors: readonly ErrorObject[], root = '/parameters'): FieldError[] {
  const byPointer = new Map<string, string[]>();
  for (const e of errors) {
    let pointer = `${root}${e.instancePath}`;
    let detail = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      pointer = `${pointer}/${escapePointer(String(e.params.missingProperty))}`;
      detail = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer = `${pointer}/${escapePointer(String(e.params.additionalProperty))}`;
      detail = 'is not a parameter of this template';
    } else if (e.keyword === 'enum') {
      detail = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const list = byPointer.get(pointer) ?? [];
    if (!list.includes(detail)) list.push(detail);
    byPointer.set(pointer, list);
  }
  return [...byPointer].map(([pointer, details]) => ({ pointer, detail: details.join('; ') }));
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
