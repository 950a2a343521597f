// Lambda entry of the catalog function: its settings and AWS adapters in, the composed handler out.
import { composeCatalog } from '../compose/catalog.js';
import { lambdaHandler } from '../http/lambda-handler.js';
import { deployedApi } from '../runtime/deployed.js';
import { readSettings } from '../runtime/settings.js';

const aws = deployedApi('catalog');
const { handler: handle } = composeCatalog(readSettings('catalog'), aws.adapters);

export const handler = lambdaHandler(aws.logger, handle);
