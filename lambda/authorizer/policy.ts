// The IAM policy an authorizer returns. The resource is every method and path of the stage, because API Gateway
// caches the result per token and reuses it on other routes: a route-specific ARN would deny them.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { principalKey, toAuthorizerContext, type Principal } from '../core/principal.js';

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` → `arn:aws:execute-api:region:account:apiId/stage/*\/*`. */
export function stageWildcardArn(methodArn: string): string {
  const parts = methodArn.split(':');
  const [apiId, stage] = (parts[5] ?? '').split('/');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api' || !apiId || !stage) {
    throw new Error(`not an execute-api method ARN: ${JSON.stringify(methodArn)}`);
  }
  return `${parts.slice(0, 5).join(':')}:${apiId}/${stage}/*/*`;
}

export function allowPolicy(principal: Principal, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: principalKey(principal),
    policyDocument: statement('Allow', methodArn),
    context: toAuthorizerContext(principal),
  };
}

/** A valid token that may not call this API (a missing scope): API Gateway answers 403. */
export function denyPolicy(principal: Principal, methodArn: string): APIGatewayAuthorizerResult {
  return { principalId: principalKey(principal), policyDocument: statement('Deny', methodArn) };
}

function statement(effect: 'Allow' | 'Deny', methodArn: string): APIGatewayAuthorizerResult['policyDocument'] {
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: stageWildcardArn(methodArn) }],
  };
}
