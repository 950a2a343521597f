// The catalog function, composed: templates the caller may run, the caller, the OpenAPI document.
import type { RuntimeSettings } from '../../contract/settings.js';
import { TemplateCatalog } from '../core/catalog.js';
import { createApiHandler, type ProxyHandler } from '../http/api-handler.js';
import { catalogRoutes } from '../routes/catalog.js';
import { apiHandlerDeps, type ApiAdapters } from './api.js';

export function composeCatalog(settings: RuntimeSettings<'catalog'>, adapters: ApiAdapters): { readonly handler: ProxyHandler } {
  return { handler: createApiHandler('catalog', catalogRoutes(new TemplateCatalog(settings.templates)), apiHandlerDeps(settings, adapters)) };
}
