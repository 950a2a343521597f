// The stage's base URL reaches the functions that build links (catalog, jobs, admin) at deploy time, from the RestApi's
// id and the stage name, or the custom domain: never from a request's Host header, and without a dependency cycle.
import type { Template } from 'aws-cdk-lib/assertions';
import { buildStack, testConfig } from './fixtures.js';

type Resources = Record<string, { Properties?: Record<string, any>; DependsOn?: string | string[] }>;

const functionEnv = (template: Template, fn: string) => {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const [, f] = Object.entries(functions).find(([id]) => new RegExp(`^Functions${fn}[0-9A-F]{8}$`).test(id))!;
  return f.Properties!.Environment.Variables as Record<string, unknown>;
};

/** Logical ids each resource refers to (Ref, Fn::GetAtt, Fn::Sub, DependsOn). */
function references(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt') out.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]!);
      else if (k === 'Fn::Sub') for (const m of JSON.stringify(v).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) out.add(m[1]!);
      else references(v, out);
    }
  }
  return out;
}

/** A cycle among the template's resources, as logical ids, or undefined. */
function findCycle(template: Template): string[] | undefined {
  const resources = template.toJSON().Resources as Resources;
  const edges = new Map(Object.entries(resources).map(([id, r]) => [id, [...references(r.Properties), ...[r.DependsOn ?? []].flat()].filter((d) => d in resources)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the stage base URL given to the functions', () => {
  it('is the execute-api URL of the stage, built from the RestApi id and the stage name', () => {
    const { template } = buildStack();
    const url = { 'Fn::Join': ['', ['https://', { Ref: expect.stringMatching(/^Api[0-9A-F]{8}$/) }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/v1']] };
    for (const fn of ['Catalog', 'Jobs', 'Admin']) expect(functionEnv(template, fn)).toMatchObject({ API_BASE_URL: url });
    expect(JSON.stringify(functionEnv(template, 'Jobs').API_BASE_URL)).not.toMatch(/Stage|Deployment/);
    expect(findCycle(template)).toBeUndefined();
  });

  it('is the custom domain when there is one', () => {
    const { template } = buildStack(testConfig((raw) => (raw.api = { domain: { name: 'jobs.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } })));
    for (const fn of ['Catalog', 'Jobs', 'Admin']) expect(functionEnv(template, fn).API_BASE_URL).toBe('https://jobs.example.com');
    expect(findCycle(template)).toBeUndefined();
  });

  it('is not given to the functions that build no links', () => {
    const { template } = buildStack();
    for (const fn of ['Authorizer', 'Reconciler', 'Rotation']) expect(functionEnv(template, fn).API_BASE_URL).toBeUndefined();
  });

  it('the cycle check finds a cycle (so its silence above means something)', () => {
    const { stack, template } = buildStack();
    const json = template.toJSON();
    const api = Object.keys(json.Resources).find((id) => json.Resources[id].Type === 'AWS::ApiGateway::Stage')!;
    const jobs = Object.keys(json.Resources).find((id) => /^FunctionsJobs[0-9A-F]{8}$/.test(id))!;
    json.Resources[jobs].Properties.Environment.Variables.API_BASE_URL = { Ref: api };
    expect(findCycle({ toJSON: () => json } as unknown as Template)).toEqual(expect.arrayContaining([api, jobs]));
    void stack;
  });
});
