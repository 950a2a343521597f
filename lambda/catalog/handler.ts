// GET /templates, GET /templates/{id}, GET /me, GET /openapi.json.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { TemplateCatalog } from '../core/catalog.js';
import { RouteNotFound, TemplateNotFound } from '../core/errors.js';
import { openApiDocument } from '../core/openapi.js';
import { mayView } from '../core/policy.js';
import type { Template } from '../core/template.js';
import { json, principalOf, problem, requestFacts } from '../edge/http.js';
import type { RevocationGate } from '../edge/revocation-gate.js';

export interface CatalogHandlerDeps {
  readonly catalog: TemplateCatalog;
  /** The stage's base URL, the OpenAPI document's `servers` (lambda/runtime/settings.ts ENV.apiBaseUrl when deployed). */
  readonly baseUrl: () => string;
  /** Checked on every request, because API Gateway may answer from its authorizer cache. */
  readonly refuseRevoked?: RevocationGate;
  readonly logError: (message: string, err: unknown) => void;
}

export const templateSummary = (t: Template) => ({ id: t.id, description: t.description, backend: t.backend, datasets: t.datasets, parameters: t.parameters });

export function createCatalogHandler(deps: CatalogHandlerDeps) {
  let openapi: string | undefined;
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext.requestId;
    try {
      if (event.httpMethod === 'GET' && event.resource === '/openapi.json') {
        openapi ??= JSON.stringify(openApiDocument(requestFacts(event, deps.baseUrl()).baseUrl));
        return { ...json(200, null), body: openapi };
      }
      const principal = principalOf(event);
      await deps.refuseRevoked?.(principal, requestFacts(event, deps.baseUrl()));
      if (event.httpMethod === 'GET' && event.resource === '/templates') {
        return json(200, { templates: deps.catalog.all().filter((t) => mayView(principal, t)).map(templateSummary) });
      }
      if (event.httpMethod === 'GET' && event.resource === '/templates/{id}') {
        const t = deps.catalog.get(event.pathParameters?.id ?? '');
        // Unknown and not-visible are the same answer: the caller learns nothing about templates they cannot run.
        if (!t || !mayView(principal, t)) throw new TemplateNotFound(`no template named "${event.pathParameters?.id ?? ''}"`);
        return json(200, templateSummary(t));
      }
      if (event.httpMethod === 'GET' && event.resource === '/me') {
        const { issuer, subject, kind, groups, scopes } = principal;
        return json(200, { issuer, subject, kind, groups, scopes });
      }
      throw new RouteNotFound(`no route ${event.httpMethod} ${event.path}`);
    } catch (err) {
      const answer = problem(err, requestId);
      if (answer.statusCode >= 500) deps.logError('request failed', err);
      return answer;
    }
  };
}
