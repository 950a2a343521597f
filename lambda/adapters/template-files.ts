// The templates folder: every `*.yaml`/`*.yml` in it, each parsed and validated (lambda/core/template-loader.ts).
// Read where config and templates are loaded (bin/app.ts for cdk synth, local mode), never by a deployed function.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from '../../contract/template.js';
import { TemplateError } from '../core/errors.js';
import { parseTemplate } from '../core/template-loader.js';

/** Load and validate every `*.yaml`/`*.yml` in a folder; ids must be unique. */
export function loadTemplateDir(dir: string): Template[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new TemplateError(dir, `cannot read the templates folder: ${(err as Error).message}`, { cause: err });
  }
  const templates = names.map((n) => parseTemplate(readFileSync(join(dir, n), 'utf8'), join(dir, n)));
  const byId = new Map<string, string>();
  for (const t of templates) {
    const other = byId.get(t.id);
    if (other) throw new TemplateError(t.file, `template id "${t.id}" is already used by ${other}`);
    byId.set(t.id, t.file);
  }
  return templates;
}
