// OpenAPI lists every answer each route can give, derived from the route table and contract/problems.ts; and every
// problem type is one the code can raise.
import { readFileSync } from 'node:fs';
import { openApiDocument } from '../../contract/openapi.js';
import { PROBLEMS, type ProblemSlug } from '../../contract/problems.js';

const doc = openApiDocument('https://api.example.com/v1') as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> }>> };
const statuses = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses).map(Number).sort((a, b) => a - b);

describe('OpenAPI responses', () => {
  it('POST /jobs: dry-run 200, 202, and every problem status a submit can answer', () => {
    expect(statuses('/jobs', 'post')).toEqual([200, 202, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504]);
    expect(doc.paths['/jobs']!.post!.responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/DryRun');
  });

  it('a cancel can answer 404 and 409, a job read 404 and the backend statuses, the public document no 401', () => {
    expect(statuses('/jobs/{id}/cancel', 'post')).toEqual(expect.arrayContaining([404, 409, 502, 503, 504]));
    expect(statuses('/jobs/{id}', 'get')).toEqual([200, 400, 401, 403, 404, 405, 429, 500, 502, 503, 504]);
    expect(statuses('/openapi.json', 'get')).toEqual([200, 400, 405, 429, 500]);
  });

  it('every problem type is raised somewhere: an error class, a gateway response or the firewall', () => {
    const sources = ['lambda/core/errors.ts', 'lib/gateway-responses.ts', 'lib/constructs/firewall.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
    const unraised = (Object.keys(PROBLEMS) as ProblemSlug[]).filter((slug) => !sources.includes(`'${slug}'`));
    expect(unraised).toEqual([]);
  });
});
