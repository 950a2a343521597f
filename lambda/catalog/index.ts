// Lambda entry: GET /templates, /templates/{id}, /openapi.json. Everything is built once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { TemplateCatalog } from '../core/catalog.js';
import { embeddedSettings } from '../runtime/settings.js';
import { createCatalogHandler } from './handler.js';

const logger = new Logger();
const settings = embeddedSettings();

export const handler = createCatalogHandler({
  catalog: new TemplateCatalog(settings.templates),
  logError: (message, err) => logger.error(message, err as Error),
});
