// The OpenAPI 3.1 description, generated from the route table and the very schemas the handlers validate with.
import { API_SCHEMAS } from './api-schemas.js';
import { ROUTES, type InputSpec, type Route } from './routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

/** Strip TypeBox's symbol keys and `$id`s, and point `$ref`s into components. */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (k, v: unknown) => {
    if (k === '$id') return undefined;
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) return `#/components/schemas/${v}`;
    return v;
  });
}

const parameter = (name: string, where: 'query' | 'header', spec: InputSpec) => ({
  name,
  in: where,
  required: false,
  description: spec.description,
  schema: {
    type: spec.type,
    ...(spec.enum && { enum: spec.enum }),
    ...(spec.format && { format: spec.format }),
    ...(spec.minimum !== undefined && { minimum: spec.minimum }),
    ...(spec.maximum !== undefined && { maximum: spec.maximum }),
    ...(spec.maxLength !== undefined && { maxLength: spec.maxLength }),
  },
});

const operationId = (r: Route) => `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, '')}`;

function operation(r: Route): Record<string, unknown> {
  const parameters = [
    ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(r.headers ?? {}).map(([name, spec]) => parameter(name, 'header', spec)),
    ...Object.entries(r.query ?? {}).map(([name, spec]) => parameter(name, 'query', spec)),
  ];
  const { status, schema, description } = r.response;
  return {
    summary: r.summary,
    operationId: operationId(r),
    ...(r.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body) } } } } : {}),
    responses: {
      [String(status)]: schema ? { description, content: { 'application/json': { schema: ref(schema) } } } : { description },
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

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: { title: 'Data Job Gateway', version: '1.0.0', description: 'One identity-aware API for Dataproc and Databricks jobs.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(Object.entries(API_SCHEMAS).map(([k, v]) => [k, plain(v)])),
    },
  };
}
