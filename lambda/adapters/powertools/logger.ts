// The one way a function builds its logger: Powertools JSON lines under the gateway's service name
// (contract/signals.ts), tagged with the function's name.
import { Logger } from '@aws-lambda-powertools/logger';
import type { FunctionName } from '../../../contract/settings.js';
import { SERVICE_NAME } from '../../../contract/signals.js';

export function createLogger(fn: FunctionName | 'local', options: { logLevel?: 'SILENT' | 'INFO' } = {}): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { function: fn }, ...(options.logLevel && { logLevel: options.logLevel }) });
}
