// The OpenAPI 3.1 description, generated from the route table and the very schemas the handlers validate with.
import { API_SCHEMAS } from './api-schemas.js';
import { PROBLEMS, type ProblemSlug } from './problems.js';
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
  return {
    summary: r.summary,
    operationId: operationId(r),
    ...(r.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body) } } } } : {}),
    responses: responses(r),
  };
}

/** Every answer the route can give: its successes, and each status of every problem it can answer, by title. */
function responses(r: Route): Record<string, unknown> {
  const success = (a: { status: number; schema?: string; description: string }) => [String(a.status), a.schema ? { description: a.description, content: { 'application/json': { schema: ref(a.schema) } } } : { description: a.description }] as const;
  const slugs: ProblemSlug[] = [
    'bad-request',
    ...(r.public ? [] : (['unauthenticated', 'forbidden'] as const)),
    ...(r.problems ?? []),
    'method-not-allowed',
    ...(r.body ? (['payload-too-large', 'unsupported-media-type'] as const) : []),
    'too-many-requests',
    'internal',
    ...(r.public ? [] : (['token-check-unavailable'] as const)),
  ];
  const byStatus = new Map<number, string[]>();
  for (const slug of slugs) {
    const { status, title } = PROBLEMS[slug];
    for (const s of typeof status === 'number' ? [status] : status) byStatus.set(s, [...new Set([...(byStatus.get(s) ?? []), title])]);
  }
  return Object.fromEntries([
    success(r.response),
    ...(r.alternate ? [success(r.alternate)] : []),
    ...[...byStatus].sort(([a], [b]) => a - b).map(([s, titles]) => [String(s), problemResponse(titles.join('; '))]),
  ]);
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
