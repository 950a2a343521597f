// Lambda's side of an API function: request id and principal as log keys for the invocation, metrics flushed at the end.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ProxyHandler } from './api-handler.js';

export function lambdaHandler(logger: Logger, handle: ProxyHandler, metrics?: Metrics) {
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    logger.addContext(context);
    logger.appendKeys({ requestId: event.requestContext.requestId, principal: event.requestContext.authorizer?.subject });
    try {
      return await handle(event);
    } finally {
      metrics?.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
