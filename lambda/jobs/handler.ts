// POST /jobs, GET /jobs, GET /jobs/{id}, GET /jobs/{id}/output, POST /jobs/{id}/cancel: a thin adapter from API Gateway
// events to the JobsService and the JobOutputReader.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { BadRequest, MethodNotAllowed, RouteNotFound } from '../core/errors.js';
import type { RevocationGate } from '../edge/revocation-gate.js';
import type { JobOutputReader } from '../core/job-output.js';
import type { JobsService } from '../core/jobs.js';
import { header, json, jsonBody, principalOf, problem, query, requestFacts } from '../edge/http.js';
import type { ValidateFunction } from 'ajv';
import { FingerprintRequest, SubmitJobRequest } from '../core/api-schemas.js';
import { createAjv } from '../core/ajv.js';
import { fieldErrors } from '../core/catalog.js';

export interface JobsHandlerDeps {
  readonly service: JobsService;
  readonly output: JobOutputReader;
  readonly maxBodyBytes: number;
  /** The stage's base URL, for `links.self` and `Location` (lambda/runtime/settings.ts ENV.apiBaseUrl when deployed). */
  readonly baseUrl: () => string;
  /** Checked on every request, because API Gateway may answer from its authorizer cache. */
  readonly refuseRevoked?: RevocationGate;
  readonly logError: (message: string, err: unknown) => void;
}

// Compiled on first use, so a cold start pays for it only when a request needs it.
let validateSubmit: ValidateFunction<SubmitJobRequest> | undefined;
let validateFingerprint: ValidateFunction<FingerprintRequest> | undefined;

export function createJobsHandler(deps: JobsHandlerDeps) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext.requestId;
    try {
      return await route(deps, event);
    } catch (err) {
      const answer = problem(err, requestId);
      if (answer.statusCode >= 500) deps.logError('request failed', err);
      return answer;
    }
  };
}

async function route(deps: JobsHandlerDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const principal = principalOf(event);
  const req = requestFacts(event, deps.baseUrl());
  await deps.refuseRevoked?.(principal, req);
  const id = event.pathParameters?.id;
  switch (`${event.httpMethod} ${event.resource}`) {
    case 'POST /jobs': {
      const body = jsonBody(event, deps.maxBodyBytes);
      validateSubmit ??= createAjv().compile(SubmitJobRequest);
      if (!validateSubmit(body)) throw new BadRequest('the body is not a job request', fieldErrors(validateSubmit.errors ?? [], ''));
      const dryRun = parseBoolean(query(event, 'dryRun'), 'dryRun');
      const result = await deps.service.submit(
        { principal, template: body.template, parameters: body.parameters ?? {}, idempotencyKey: header(event, 'Idempotency-Key'), dryRun },
        req,
      );
      if (result.kind === 'dryRun') return json(200, { dryRun: true, jobId: result.jobId, template: result.template, backend: result.backend, request: result.request });
      return json(202, result.job, { Location: result.job.links.self, ...(result.replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
    }
    case 'GET /jobs': {
      const limitText = query(event, 'limit', 4);
      const limit = limitText === undefined ? 20 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BadRequest('limit must be an integer from 1 to 100', [{ pointer: 'query:limit', detail: 'must be an integer from 1 to 100' }]);
      const page = await deps.service.list(principal, { limit, cursor: query(event, 'cursor'), principal: query(event, 'principal', 1100) }, req);
      return json(200, page);
    }
    case 'GET /jobs/{id}':
      return json(200, await deps.service.get(principal, id ?? '', req));
    case 'GET /jobs/{id}/output':
      return json(200, await deps.output.read(principal, id ?? '', parseOffset(query(event, 'offset', 16)), req));
    case 'POST /jobs/{id}/cancel':
      return json(202, await deps.service.cancel(principal, id ?? '', req));
    case 'POST /audit/fingerprints': {
      const body = jsonBody(event, deps.maxBodyBytes);
      validateFingerprint ??= createAjv().compile(FingerprintRequest);
      if (!validateFingerprint(body)) throw new BadRequest('the body is not a fingerprint request', fieldErrors(validateFingerprint.errors ?? [], ''));
      return json(200, await deps.service.fingerprint(principal, body.value, req));
    }
    default:
      if (Object.hasOwn(ALLOWED, event.resource)) throw new MethodNotAllowed(ALLOWED[event.resource]!);
      throw new RouteNotFound(`no route ${event.httpMethod} ${event.path}`);
  }
}

const ALLOWED: Readonly<Record<string, readonly string[]>> = { '/jobs': ['GET', 'POST'], '/jobs/{id}': ['GET'], '/jobs/{id}/output': ['GET'], '/jobs/{id}/cancel': ['POST'] };

/** A byte offset into the output: a whole number from 0; absent means the beginning. */
function parseOffset(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new BadRequest('offset must be a whole number of bytes from 0', [{ pointer: 'query:offset', detail: 'must be a whole number from 0' }]);
  return n;
}

function parseBoolean(v: string | undefined, name: string): boolean {
  if (v === undefined || v === 'false') return false;
  if (v === 'true' || v === '') return true;
  throw new BadRequest(`${name} must be true or false`, [{ pointer: `query:${name}`, detail: 'must be true or false' }]);
}
