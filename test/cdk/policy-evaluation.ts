// Evaluates the resource policies of a synthesized template for one request, as IAM does for a service principal:
// an explicit Deny wins, else an Allow is needed. Small on purpose: the operators our templates use, and loud on others.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

export interface PolicyRequest {
  /** `{ Service: 'cloudwatch.amazonaws.com' }` or `{ AWS: 'arn:aws:iam::123456789012:root' }`. */
  readonly principal: { readonly Service?: string; readonly AWS?: string };
  readonly action: string;
  readonly resource: string;
  /** Condition keys the request carries, e.g. `aws:SourceArn`, `aws:SecureTransport`. */
  readonly context: Readonly<Record<string, string>>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** CloudFormation values as text: pseudo parameters from `env`, `Ref`/`Fn::GetAtt` of resources as `ref:Id` / `getatt:Id.Attr`. */
export function resolver(env: { account: string; region: string; partition?: string }) {
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, any>;
    if (o?.Ref === 'AWS::Partition') return env.partition ?? 'aws';
    if (o?.Ref === 'AWS::AccountId') return env.account;
    if (o?.Ref === 'AWS::Region') return env.region;
    if (o?.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (typeof o?.Ref === 'string') return `ref:${o.Ref}`;
    if (Array.isArray(o?.['Fn::GetAtt'])) return `getatt:${o['Fn::GetAtt'].join('.')}`;
    if (Array.isArray(o?.['Fn::Join'])) return (o['Fn::Join'][1] as unknown[]).map(resolve).join(o['Fn::Join'][0]);
    throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  };
  return resolve;
}

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as T]);
const glob = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split(/([*?])/).map((p) => (p === '*' ? '.*' : p === '?' ? '.' : p.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`).test(value);

export function evaluate(document: { Statement: readonly any[] }, request: PolicyRequest, resolve: (v: unknown) => string): Decision {
  const matching = document.Statement.filter((s) => principalMatches(s.Principal, request) && list<string>(s.Action).some((a) => glob(a, request.action)) && list(s.Resource).some((r) => glob(resolve(r), request.resource)) && conditionsHold(s.Condition ?? {}, request, resolve));
  if (matching.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

function principalMatches(principal: any, request: PolicyRequest): boolean {
  if (principal === '*') return true;
  if (principal?.AWS === '*') return true;
  if (request.principal.Service) return list<string>(principal?.Service).includes(request.principal.Service);
  return request.principal.AWS !== undefined && list(principal?.AWS).some((a) => a === request.principal.AWS);
}

function conditionsHold(condition: Record<string, Record<string, unknown>>, request: PolicyRequest, resolve: (v: unknown) => string): boolean {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = request.context[key];
      if (actual === undefined) return false;
      const values = list(expected).map(resolve);
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          return values.includes(actual);
        case 'StringLike':
        case 'ArnLike':
          return values.some((v) => glob(v, actual));
        case 'Bool':
          return values.some((v) => v.toLowerCase() === actual.toLowerCase());
        default:
          throw new Error(`condition operator ${operator} is not evaluated here`);
      }
    }),
  );
}
