// The OpenAPI 3.1 description, generated from the route table and the very schemas the handlers validate with.
import { ROUTES } from '../../lib/routes.js';
import { Caller, DryRun, Fingerprint, FingerprintRequest, Job, JobList, JobOutput, ProblemSchema, Revocation, RevocationRequest, SubmitJobRequest, TemplateSummary } from './api-schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const jsonResponse = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });

/** Strip TypeBox's symbol keys and `$id`s, and point `$ref`s into components. */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (k, v: unknown) => {
    if (k === '$id') return undefined;
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) return `#/components/schemas/${v}`;
    return v;
  });
}

const SUCCESS: Record<string, { status: string; body: unknown; description: string }> = {
  'GET /templates': { status: '200', description: 'Templates you may run', body: { type: 'object', properties: { templates: { type: 'array', items: ref('Template') } } } },
  'GET /templates/{id}': { status: '200', description: 'The template', body: ref('Template') },
  'GET /openapi.json': { status: '200', description: 'This document', body: { type: 'object' } },
  'POST /jobs': { status: '202', description: 'The job (200 with a DryRun for ?dryRun=true)', body: ref('Job') },
  'GET /jobs': { status: '200', description: 'Jobs, newest first', body: ref('JobList') },
  'GET /jobs/{id}': { status: '200', description: 'The job', body: ref('Job') },
  'GET /jobs/{id}/output': { status: '200', description: "The job's driver output from `offset`", body: ref('JobOutput') },
  'POST /jobs/{id}/cancel': { status: '202', description: 'Cancellation requested', body: ref('Job') },
  'GET /me': { status: '200', description: 'You, as the gateway sees you', body: ref('Caller') },
  'POST /admin/revocations': { status: '201', description: 'The revocation', body: ref('Revocation') },
  'GET /admin/revocations': { status: '200', description: 'Revocations', body: { type: 'object', properties: { revocations: { type: 'array', items: ref('Revocation') } } } },
  'DELETE /admin/revocations/{id}': { status: '204', description: 'Lifted', body: undefined },
  'POST /audit/fingerprints': { status: '200', description: 'The fingerprint the ledger and the audit trail record for the value', body: ref('Fingerprint') },
};

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const ok = SUCCESS[`${r.method} ${r.path}`]!;
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.method === 'POST' && r.path === '/jobs') {
      params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } } as never);
      params.push({ name: 'dryRun', in: 'query', required: false, schema: { type: 'boolean' } } as never);
    }
    if (r.method === 'GET' && r.path === '/jobs/{id}/output') params.push({ name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } } as never);
    if (r.method === 'GET' && r.path === '/jobs') {
      for (const q of ['limit', 'cursor', 'principal']) params.push({ name: q, in: 'query', required: false, schema: { type: q === 'limit' ? 'integer' : 'string' } } as never);
    }
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
      ...(r.public ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body) } } } } : {}),
      responses: {
        [ok.status]: ok.body === undefined ? { description: ok.description } : jsonResponse(ok.description, ok.body),
        ...(r.public ? {} : { '401': problemResponse('Missing or invalid token'), '403': problemResponse('Not allowed') }),
        '400': problemResponse('Malformed request'),
        ...(r.path.includes('{id}') ? { '404': problemResponse('Unknown, or not visible to you') } : {}),
        ...(r.method === 'POST' && r.path === '/jobs'
          ? { '409': problemResponse('Idempotency-Key reused with another body'), '413': problemResponse('Body too large'), '422': problemResponse('Parameters fail the template schema') }
          : {}),
        '429': problemResponse('Throttled; see Retry-After'),
        ...(r.function === 'jobs' ? { '502': problemResponse('Backend failure'), '503': problemResponse('Backend unavailable'), '504': problemResponse('Backend timed out') } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Data Job Gateway', version: '1.0.0', description: 'One identity-aware API for Dataproc and Databricks jobs.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(
        Object.entries({ SubmitJobRequest, RevocationRequest, FingerprintRequest, Job, JobList, JobOutput, Caller, DryRun, Template: TemplateSummary, Revocation, Fingerprint, Problem: ProblemSchema }).map(([k, v]) => [k, plain(v)]),
      ),
    },
  };
}
