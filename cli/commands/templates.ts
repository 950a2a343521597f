// djg templates, djg templates show ID: what the caller may run, and each template's parameters.
import { route } from '../api-routes.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { renderFields, renderTable } from '../output.js';

export interface TemplateView {
  readonly id: string;
  readonly description: string;
  readonly backend: string;
  readonly datasets: readonly string[];
  readonly parameters: Record<string, unknown>;
  /** Present on gateways whose templates may need approval. */
  readonly approval?: { readonly approvers?: readonly string[]; readonly required?: number };
}

export async function listTemplates(ctx: Context): Promise<number> {
  const { body } = await ctx.client().call<{ templates: TemplateView[] }>(route('GET /templates'));
  ctx.print(body, () =>
    body.templates.length
      ? renderTable(['ID', 'BACKEND', 'APPROVAL', 'DESCRIPTION'], body.templates.map((t) => [t.id, t.backend, approvalOf(t), t.description]))
      : 'No templates you may run.\n',
  );
  return EXIT.ok;
}

export async function showTemplate(ctx: Context, id: string): Promise<number> {
  const { body: t } = await ctx.client().call<TemplateView>(route('GET /templates/{id}', { id }));
  ctx.print(t, () => {
    const properties = (t.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = new Set((t.parameters.required ?? []) as string[]);
    const rows = Object.entries(properties).map(([name, p]) => [
      name,
      typeOf(p),
      required.has(name) ? 'yes' : '',
      p.default === undefined ? '' : JSON.stringify(p.default),
      allowed(p),
      p.description ?? '',
    ]);
    return (
      renderFields([
        ['id', t.id],
        ['description', t.description],
        ['backend', t.backend],
        ['approval', approvalOf(t) || 'not needed'],
        ['datasets', t.datasets.join(', ')],
      ]) + (rows.length ? `\n${renderTable(['PARAMETER', 'TYPE', 'REQUIRED', 'DEFAULT', 'ALLOWED', 'DESCRIPTION'], rows)}` : '\nNo parameters.\n')
    );
  });
  return EXIT.ok;
}

const approvalOf = (t: TemplateView) => (t.approval ? `${t.approval.required ?? 1} of ${(t.approval.approvers ?? []).join(', ')}` : '');

const typeOf = (p: Record<string, unknown>) => {
  const type = Array.isArray(p.type) ? p.type.join('|') : String(p.type ?? 'any');
  return p.format ? `${type} (${String(p.format)})` : type;
};

/** Allowed values as people read them: the enum, a pattern, a range, a length. */
function allowed(p: Record<string, unknown>): string {
  if (Array.isArray(p.enum)) return p.enum.map((v) => String(v)).join(', ');
  const parts: string[] = [];
  if (typeof p.pattern === 'string') parts.push(`matches ${p.pattern}`);
  if (p.minimum !== undefined || p.maximum !== undefined) parts.push(`${p.minimum ?? '…'}..${p.maximum ?? '…'}`);
  if (p.maxLength !== undefined) parts.push(`at most ${String(p.maxLength)} characters`);
  return parts.join('; ');
}
