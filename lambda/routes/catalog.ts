// The catalog function's routes: the templates a caller may run, the caller as the gateway sees them, and this API
// as OpenAPI (contract/routes.ts lists them; lambda/http/api-handler.ts dispatches to these).
import { openApiDocument } from '../../contract/openapi.js';
import type { Template } from '../../contract/template.js';
import type { TemplateCatalog } from '../core/catalog.js';
import { TemplateNotFound } from '../core/errors.js';
import { mayView } from '../core/policy.js';
import type { RouteHandlers } from '../http/api-handler.js';

const templateSummary = (t: Template) => ({ id: t.id, description: t.description, backend: t.backend, datasets: t.datasets, parameters: t.parameters });

export function catalogRoutes(catalog: TemplateCatalog): RouteHandlers<'catalog'> {
  let openapi: string | undefined;
  return {
    'GET /templates': ({ principal }) => ({ body: { templates: catalog.all().filter((t) => mayView(principal, t)).map(templateSummary) } }),
    'GET /templates/{id}': ({ principal, path }) => {
      const t = catalog.get(path.id ?? '');
      // Unknown and not-visible are the same answer: the caller learns nothing about templates they cannot run.
      if (!t || !mayView(principal, t)) throw new TemplateNotFound(`no template named "${path.id ?? ''}"`);
      return { body: templateSummary(t) };
    },
    'GET /me': ({ principal: { issuer, subject, kind, groups, scopes } }) => ({ body: { issuer, subject, kind, groups, scopes } }),
    'GET /openapi.json': ({ facts }) => ({ raw: (openapi ??= JSON.stringify(openApiDocument(facts.baseUrl))) }),
  };
}
