// The loaded templates, with each parameter schema compiled once (lazily, so a cold start compiles only what it uses).
import type { Ajv, ValidateFunction } from 'ajv';
import { createAjv, fieldErrors } from '../../contract/validation.js';
import { ParameterValidationFailed } from './errors.js';
import type { Template } from '../../contract/template.js';

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
    if (!validate(copy)) throw new ParameterValidationFailed(fieldErrors(validate.errors ?? [], { root: '/parameters', unknownMember: 'is not a parameter of this template' }));
    return copy as Record<string, unknown>;
  }
}

