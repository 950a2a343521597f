// POST /admin/revocations, GET /admin/revocations, DELETE /admin/revocations/{id}.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../core/ajv.js';
import { RevocationRequest } from '../core/api-schemas.js';
import { fieldErrors } from '../core/catalog.js';
import { BadRequest, RouteNotFound } from '../core/errors.js';
import type { RevocationGate } from '../edge/revocation-gate.js';
import type { RevocationService } from '../core/revocation-service.js';
import { SECURITY_HEADERS, json, jsonBody, principalOf, problem, requestFacts } from '../edge/http.js';

export interface AdminHandlerDeps {
  readonly revocations: RevocationService;
  readonly refuseRevoked: RevocationGate;
  readonly maxBodyBytes: number;
  /** The stage's base URL (lambda/runtime/settings.ts ENV.apiBaseUrl when deployed). */
  readonly baseUrl: () => string;
  readonly logError: (message: string, err: unknown) => void;
}

// Compiled on first use, so a cold start pays for it only when a request needs it.
let validateRevocation: ValidateFunction<RevocationRequest> | undefined;

export function createAdminHandler(deps: AdminHandlerDeps) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext.requestId;
    try {
      const actor = principalOf(event);
      const req = requestFacts(event, deps.baseUrl());
      await deps.refuseRevoked(actor, req);
      switch (`${event.httpMethod} ${event.resource}`) {
        case 'POST /admin/revocations': {
          const body = jsonBody(event, deps.maxBodyBytes);
          validateRevocation ??= createAjv().compile(RevocationRequest);
          if (!validateRevocation(body)) throw new BadRequest('the body is not a revocation request', fieldErrors(validateRevocation.errors ?? [], ''));
          const { created, revocation } = await deps.revocations.revoke(actor, body, req);
          return json(created ? 201 : 200, revocation);
        }
        case 'GET /admin/revocations':
          return json(200, { revocations: await deps.revocations.list(actor, req) });
        case 'DELETE /admin/revocations/{id}':
          await deps.revocations.lift(actor, event.pathParameters?.id ?? '', req);
          return { statusCode: 204, headers: { ...SECURITY_HEADERS }, body: '' };
        default:
          throw new RouteNotFound(`no route ${event.httpMethod} ${event.path}`);
      }
    } catch (err) {
      const answer = problem(err, requestId);
      if (answer.statusCode >= 500) deps.logError('request failed', err);
      return answer;
    }
  };
}
