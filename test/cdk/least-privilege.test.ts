// Least privilege, proved from both ends: for each function, the AWS API calls its code can make (the AWS SDK commands
// its entry file reaches through its imports, static and dynamic) must be exactly the documented list, and its role in
// the synthesized template must grant exactly those calls plus the documented implied grants. A new SDK call without a
// grant, or a grant without a call, fails here. docs/deploy.md "What each function may do" is generated from this table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import type { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { loadConfigFile, type GatewayConfig } from '../../lib/config.js';
import { buildStack, DATABRICKS_TEMPLATE, DATAPROC_TEMPLATE, testConfig } from './fixtures.js';
import { generatedSection } from '../generated-doc.js';

type FunctionId = 'Authorizer' | 'Catalog' | 'Jobs' | 'Admin' | 'Reconciler' | 'Rotation';

/** The documented list: what each function's code calls, on which resources, and what its role holds besides. */
export const FUNCTION_PERMISSIONS: Record<FunctionId, { readonly entry: string; readonly calls: Record<string, string> }> = {
  Authorizer: { entry: 'lambda/authorizer/index.ts', calls: { 'dynamodb:GetItem': 'ledger rows `REVOCATION#*` (is the principal revoked?)' } },
  Catalog: { entry: 'lambda/catalog/index.ts', calls: { 'dynamodb:GetItem': 'ledger rows `REVOCATION#*`' } },
  Jobs: {
    entry: 'lambda/jobs/index.ts',
    calls: {
      'dynamodb:GetItem': 'ledger rows `JOB#*`, `ACTIVE#*`, `REVOCATION#*`',
      'dynamodb:PutItem': 'ledger rows `JOB#*` (reserve a job)',
      'dynamodb:UpdateItem': 'ledger rows `JOB#*`, `ACTIVE#*` (record, refresh, claim and free slots)',
      'dynamodb:DeleteItem': 'ledger rows `JOB#*` (a reservation a limit refused)',
      'dynamodb:Query': 'indexes `byPrincipal` and `pending` (GET /approvals)',
      'secretsmanager:GetSecretValue': 'the Databricks credential, the Google key (key mode), the MAC key',
      'events:PutEvents': 'the default event bus, `source` data-job-gateway only (approval events)',
    },
  },
  Admin: {
    entry: 'lambda/admin/index.ts',
    calls: {
      'dynamodb:GetItem': 'ledger rows `JOB#*`, `REVOCATION#*`',
      'dynamodb:PutItem': 'ledger rows `REVOCATION#*`',
      'dynamodb:UpdateItem': 'ledger rows `JOB#*`, `ACTIVE#*`, `REVOCATION#*` (cancel the revoked principal\'s jobs)',
      'dynamodb:DeleteItem': 'ledger rows `REVOCATION#*` (lift a revocation)',
      'dynamodb:Query': 'index `byPrincipal` only',
      'secretsmanager:GetSecretValue': 'the Databricks credential, the Google key (key mode)',
      'events:PutEvents': 'the default event bus, `source` data-job-gateway only (a revoked submitter\'s waiting jobs end)',
    },
  },
  Reconciler: {
    entry: 'lambda/reconciler/index.ts',
    calls: {
      'dynamodb:GetItem': 'ledger rows `JOB#*`, `REVOCATION#*` (no approved job is sent for a revoked submitter)',
      'dynamodb:UpdateItem': 'ledger rows `JOB#*`',
      'dynamodb:Query': 'index `pending` only',
      'secretsmanager:GetSecretValue': 'the Databricks credential, the Google key (key mode), the MAC key (approved jobs\' sealed parameters)',
      'events:PutEvents': 'the default event bus, `source` data-job-gateway only (expired approvals)',
    },
  },
  Rotation: {
    entry: 'lambda/rotation/index.ts',
    calls: {
      'secretsmanager:DescribeSecret': 'the rotated secrets',
      'secretsmanager:GetSecretValue': 'the rotated secrets',
      'secretsmanager:PutSecretValue': 'the rotated secrets',
      'secretsmanager:UpdateSecretVersionStage': 'the rotated secrets',
    },
  },
};

/** Granted though the code makes no such SDK call, and why. Every function gets the runtime's. */
const RUNTIME_GRANTS: Record<string, string> = {
  'logs:CreateLogStream': 'Lambda writes the function\'s log (the audit log group only)',
  'logs:PutLogEvents': 'Lambda writes the function\'s log (the audit log group only)',
  'xray:PutTraceSegments': 'active X-Ray tracing',
  'xray:PutTelemetryRecords': 'active X-Ray tracing',
};
const SECRET_KEY_GRANTS: Record<string, string> = { 'kms:Decrypt': 'the secrets\' KMS key, through Secrets Manager only (kms:ViaService), in the key\'s policy' };
const LEDGER_KEY_GRANTS = (writes: boolean): Record<string, string> => ({
  'kms:Decrypt': 'the ledger\'s customer-managed key (`ledger.encryption: customer-managed`), used by DynamoDB for the caller',
  'kms:DescribeKey': 'the same',
  ...(writes ? { 'kms:Encrypt': 'the same, for writes', 'kms:ReEncrypt*': 'the same, for writes', 'kms:GenerateDataKey*': 'the same, for writes' } : {}),
});
const ROTATION_GRANTS: Record<string, string> = {
  'secretsmanager:GetRandomPassword': 'granted by every Secrets Manager rotation schedule (aws-cdk-lib RotationSchedule); not called',
  'kms:Encrypt': 'the secrets\' key, through Secrets Manager only (PutSecretValue), in the key\'s policy',
  'kms:ReEncrypt*': 'the same',
  'kms:GenerateDataKey*': 'the same',
};

function impliedGrants(fn: FunctionId, config: GatewayConfig, holdsSecrets: boolean): Record<string, string> {
  const calls = Object.keys(FUNCTION_PERMISSIONS[fn].calls);
  const usesLedger = calls.some((c) => c.startsWith('dynamodb:'));
  const writesLedger = calls.some((c) => /dynamodb:(Put|Update|Delete)Item/.test(c));
  const readsSecrets = calls.includes('secretsmanager:GetSecretValue') && holdsSecrets;
  return {
    ...RUNTIME_GRANTS,
    ...(readsSecrets ? SECRET_KEY_GRANTS : {}),
    ...(fn === 'Rotation' ? ROTATION_GRANTS : {}),
    ...(usesLedger && config.ledger.encryption === 'customer-managed' ? LEDGER_KEY_GRANTS(writesLedger) : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// From code: the SDK commands an entry file reaches.

/** IAM service prefix of each AWS SDK package the code may import; a package missing here fails the test. */
const SERVICE_OF: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-eventbridge': 'events',
};
/** lib-dynamodb's document-client commands name the DynamoDB operation they send. */
const DOCUMENT_CLIENT_OPERATION: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

/** The IAM action an imported name calls, or undefined when it is no call (a client, an error class, a helper). */
export function actionOf(pkg: string, name: string): string | undefined {
  const operation = name.endsWith('Command') ? name.slice(0, -'Command'.length) : name.startsWith('paginate') ? name.slice('paginate'.length) : undefined;
  if (operation === undefined) return undefined;
  const service = SERVICE_OF[pkg];
  if (!service) throw new Error(`${pkg} ${name}: add the package's IAM service prefix to SERVICE_OF`);
  if (pkg === '@aws-sdk/lib-dynamodb') {
    const mapped = DOCUMENT_CLIENT_OPERATION[operation];
    if (!mapped) throw new Error(`${pkg} ${name}: add its DynamoDB operation to DOCUMENT_CLIENT_OPERATION`);
    return `${service}:${mapped}`;
  }
  return `${service}:${operation}`;
}

/** Every AWS API call reachable from `entry` through relative imports (static, dynamic, re-exports); type-only imports are skipped. */
export function sdkCalls(entry: string): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  const seen = new Set<string>();
  const pending = [resolve(PROJECT_ROOT, entry)];
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const follow = (specifier: string) => {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.importClause?.isTypeOnly) {
        const specifier = node.moduleSpecifier.text;
        follow(specifier);
        const bindings = node.importClause?.namedBindings;
        if (specifier.startsWith('@aws-sdk/') && bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            if (element.isTypeOnly) continue;
            const action = actionOf(specifier, (element.propertyName ?? element.name).text);
            if (action) calls.set(action, [...(calls.get(action) ?? []), file.slice(PROJECT_ROOT.length)]);
          }
        }
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
        follow(node.moduleSpecifier.text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        follow(node.arguments[0].text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------------------------
// From the template: what each function's role is granted.

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Principal?: unknown;
}

/** Every policy statement in a resource's properties (identity policies, key policies, secret policies...). */
function statements(value: unknown, out: Statement[] = []): Statement[] {
  if (Array.isArray(value)) value.forEach((v) => statements(v, out));
  else if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.Statement)) out.push(...(v.Statement as Statement[]));
    else Object.values(v).forEach((x) => statements(x, out));
  }
  return out;
}

/** What a function's role may do: its identity policies, and resource policies (KMS keys) that name the role. */
function grantedActions(template: Template, fn: FunctionId): Set<string> {
  const resources = template.toJSON().Resources as Resources;
  const [, f] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && new RegExp(`^Functions${fn}[0-9A-F]{8}$`).test(id))!;
  const roleId = f.Properties.Role['Fn::GetAtt'][0] as string;
  const roleArn = JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] });
  // one principal, or a list of them (statements for several roles merged by @aws-cdk/aws-iam:minimizePolicies)
  const namesRole = (principal: unknown) => [(principal as { AWS?: unknown } | undefined)?.AWS ?? []].flat().some((p) => JSON.stringify(p) === roleArn);
  const actions = new Set<string>();
  const add = (s: Statement) => {
    if (s.Effect === 'Allow') for (const a of [s.Action].flat()) actions.add(a);
  };
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::IAM::Policy') {
      if ((r.Properties.Roles as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId }))) statements(r.Properties.PolicyDocument).forEach(add);
    } else {
      statements(r.Properties).filter((s) => namesRole(s.Principal)).forEach(add);
    }
  }
  return actions;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
const FUNCTIONS = Object.keys(FUNCTION_PERMISSIONS) as FunctionId[];

describe('each function calls exactly the documented AWS APIs', () => {
  it.each(FUNCTIONS)('%s', (fn) => {
    expect(sorted(sdkCalls(FUNCTION_PERMISSIONS[fn].entry).keys())).toEqual(sorted(Object.keys(FUNCTION_PERMISSIONS[fn].calls)));
  });

  it('sees a new call: an SDK command a module imports, through a dynamic import of another', () => {
    // GIVEN an entry that dynamically imports a module that imports ScanCommand and a client (no call)
    const dir = mkdtempSync(join(PROJECT_ROOT, '.least-privilege-'));
    try {
      writeFileSync(join(dir, 'entry.ts'), "export const load = () => import('./scan.js');\nimport type { GetCommand } from '@aws-sdk/lib-dynamodb';\n");
      writeFileSync(join(dir, 'scan.ts'), "import { ScanCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nimport { type PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';\nexport { ScanCommand, DynamoDBDocumentClient };\n");
      // THEN the Scan is found, the type-only imports are not
      expect(sorted(sdkCalls(join(dir.slice(PROJECT_ROOT.length), 'entry.ts')).keys())).toEqual(['dynamodb:Scan']);
    } finally {
      // a scratch folder in the project (so relative paths resolve as in lambda/); removed at once
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an SDK package it cannot map to an IAM service', () => {
    expect(() => actionOf('@aws-sdk/client-s3', 'GetObjectCommand')).toThrow(/SERVICE_OF/);
  });
});

describe.each([
  ['the test config (PAT, AWS-managed ledger key)', () => buildStack(testConfig(), [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE]), () => testConfig()],
  ['config/example.yaml (OAuth, customer-managed ledger key)', () => buildStack(loadConfigFile('config/example.yaml'), [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE]), () => loadConfigFile('config/example.yaml')],
])('each role in %s grants exactly the calls its code makes, and the documented implied grants', (_, build, config) => {
  let template: Template;
  let rotation: boolean;
  beforeAll(() => {
    const built = build();
    template = built.template;
    rotation = built.stack.functions.rotation !== undefined;
  });

  it.each(FUNCTIONS)('%s', (fn) => {
    if (fn === 'Rotation' && !rotation) return;
    const expected = new Set([...sdkCalls(FUNCTION_PERMISSIONS[fn].entry).keys(), ...Object.keys(impliedGrants(fn, config(), true))]);
    expect(sorted(grantedActions(template, fn))).toEqual(sorted(expected));
  });
});

describe('docs/deploy.md', () => {
  const DOC = join(PROJECT_ROOT, 'docs/deploy.md');
  const START = '<!-- function-permissions:start -->';
  const END = '<!-- function-permissions:end -->';

  function table(): string {
    const lines = ['| function | AWS calls its code makes | on | also granted |', '|---|---|---|---|'];
    for (const fn of FUNCTIONS) {
      const implied = Object.keys(impliedGrants(fn, { ledger: { encryption: 'aws-managed' } } as GatewayConfig, true)).filter((a) => !(a in RUNTIME_GRANTS));
      const calls = Object.entries(FUNCTION_PERMISSIONS[fn].calls);
      calls.forEach(([action, on], i) => {
        lines.push(`| ${i === 0 ? fn.toLowerCase() : ''} | \`${action}\` | ${on} | ${i === 0 ? implied.map((a) => `\`${a}\``).join(', ') : ''} |`);
      });
    }
    const notes = [
      ...Object.entries(RUNTIME_GRANTS).map(([a, why]) => `\`${a}\`: ${why}`),
      ...Object.entries(SECRET_KEY_GRANTS).map(([a, why]) => `\`${a}\`: ${why}`),
      ...Object.entries(ROTATION_GRANTS).map(([a, why]) => `\`${a}\` (rotation): ${why}`),
      ...Object.entries(LEDGER_KEY_GRANTS(true)).map(([a, why]) => `\`${a}\`: ${why}`),
    ];
    return [...lines, '', 'Every role also holds, and only for these reasons:', '', ...notes.map((n) => `- ${n}`)].join('\n');
  }

  it('lists what each function may do, as this test checks it (UPDATE_DOCS=1 rewrites it)', () => {
    const generated = `\n${table()}\n`;
    expect(generatedSection(DOC, START, END, generated)).toBe(generated);
  });
});
