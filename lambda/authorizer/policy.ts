// The IAM policy an authorizer returns. API Gateway caches it per Authorization header and evaluates the cached policy
// on every route (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html),
// so it must answer for all routes at once: every method and path of the stage when the issuer maps no scopes, and
// otherwise exactly the routes the token's scopes grant.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { Route } from '../../contract/routes.js';
import { principalKey, toAuthorizerContext, toRefusalContext, type Principal, type TokenRefusal } from '../core/principal.js';

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` → `arn:aws:execute-api:region:account:apiId/stage/`. */
function stageArnPrefix(methodArn: string): string {
  const parts = methodArn.split(':');
  const [apiId, stage] = (parts[5] ?? '').split('/');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api' || !apiId || !stage) {
    throw new Error(`not an execute-api method ARN: ${JSON.stringify(methodArn)}`);
  }
  return `${parts.slice(0, 5).join(':')}:${apiId}/${stage}/`;
}

/** Every method and path of the stage. */
export const stageWildcardArn = (methodArn: string): string => `${stageArnPrefix(methodArn)}*/*`;

/** One route of the stage: `{param}` segments become `*`, which matches the concrete path API Gateway puts in the method ARN. */
const routeArn = (methodArn: string, route: Pick<Route, 'method' | 'path'>): string =>
  `${stageArnPrefix(methodArn)}${route.method}${route.path.replace(/\{[^/}]+\}/g, '*')}`;

/** Allow `routes` (every route of the stage when undefined), with the principal as context. */
export function allowPolicy(principal: Principal, methodArn: string, routes?: readonly Pick<Route, 'method' | 'path'>[]): APIGatewayAuthorizerResult {
  const resources = routes ? routes.map((r) => routeArn(methodArn, r)) : [stageWildcardArn(methodArn)];
  return {
    principalId: principalKey(principal),
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources.length === 1 ? resources[0]! : resources }] },
    context: toAuthorizerContext(principal),
  };
}

/** A valid token that may call no route at all (no granted scope): API Gateway answers 403 everywhere. */
export function denyPolicy(principal: Principal, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: principalKey(principal),
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: stageWildcardArn(methodArn) }] },
  };
}

/**
 * A refused token, let through to the API function on every route so it answers the 401 with the reason: a Lambda
 * authorizer can only make API Gateway answer a bare 401 (by throwing "Unauthorized"), whose gateway response sees no
 * authorizer context. The context carries no principal, so no handler can mistake it for a caller.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
export function refusalPolicy(refusal: TokenRefusal, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: 'refused-token',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcardArn(methodArn) }] },
    context: toRefusalContext(refusal),
  };
}
