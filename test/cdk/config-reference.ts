// The config reference table of docs/deploy.md, generated from the schema's types, defaults, limits and descriptions.
import { ConfigSchema } from '../../lib/config.js';

type Json = Record<string, any>;

interface ReferenceRow {
  readonly field: string;
  readonly type: string;
  readonly default: string;
  readonly rules: string;
  readonly description: string;
}

const code = (s: string) => `\`${s.replace(/\|/g, '\\|')}\``;

function typeOf(schema: Json): string {
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  if (schema.anyOf) return (schema.anyOf as Json[]).map(typeOf).join(' or ');
  if (schema.type === 'array') return `list of ${typeOf(schema.items).replace(/^(string|integer|number|boolean)$/, '$1s')}`;
  if (schema.type === 'object') return schema.patternProperties ? 'map' : 'object';
  return String(schema.type);
}

function rulesOf(schema: Json): string {
  const rules: string[] = [];
  if (schema.minimum !== undefined) rules.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) rules.push(`≤ ${schema.maximum}`);
  if (schema.minLength) rules.push('not empty');
  if (schema.minItems) rules.push(`at least ${schema.minItems}`);
  if (schema.format) rules.push(schema.format);
  // A described pattern (e.g. the https URL one) is explained by its description instead.
  if (schema.pattern && !schema.description) rules.push(code(schema.pattern));
  return rules.join(', ');
}

/** What the deployed stack does with a field, where the schema's own description does not say. */
const STACK_NOTES: Record<string, string> = {
  name: 'stack name, API name, dashboard and alarm prefix',
  'env.account': 'default: the AWS CLI profile\'s account',
  'env.region': 'default: the AWS CLI profile\'s region',
  'auth.clockSkewSeconds': 'leeway for exp, nbf and iat',
  'auth.maxTokenLength': 'longer Authorization headers are refused (401)',
  'auth.authorizerCacheTtlSeconds': 'API Gateway caches each authorizer decision per Authorization header; 0 turns the cache off',
  'auth.verifiedTokenCacheSize': 'verified tokens kept per warm authorizer; 0 turns it off',
  templatesDir: 'job templates, relative to the project root; bundled into every function at synth',
  'dataproc.projectId': 'Google Cloud project of the Dataproc jobs',
  'dataproc.region': 'Dataproc region, e.g. europe-west1',
  'dataproc.endpoint': 'default: Google\'s regional endpoint',
  'databricks.host': 'workspace URL',
  'databricks.credentials.type': 'pat: a personal or on-behalf-of token; oauth-m2m: a service principal OAuth secret; the stack rotates either',
  'databricks.credentials.secretName': 'existing secret; default: created by the stack',
  'dataproc.credentials.type': 'workload-identity: no key anywhere (the default); service-account-key: a key in Secrets Manager, rotated by the stack',
  'databricks.maxRetries': 'retries of throttled or failed Databricks calls',
  'ledger.tableName': 'default: a name CloudFormation generates',
  'ledger.endpoint': 'local mode only',
  'ledger.deletionProtection': 'DynamoDB deletion protection; also keeps the table on `cdk destroy` (false: destroy deletes it)',
  'ledger.pointInTimeRecovery': 'DynamoDB point-in-time recovery (35 days)',
  'api.throttle.rateLimit': 'stage-wide steady requests per second',
  'api.throttle.burstLimit': 'stage-wide burst',
  'api.usagePlan.quotaPerDay': 'a usage plan with this daily quota; every caller then also sends an API key (`x-api-key`)',
  'api.maxBodyBytes': 'larger request bodies are refused with 413 by the functions',
  'api.waf.enabled': 'AWS WAF web ACL on the stage: IP reputation, common and known-bad-inputs rule groups',
  'api.waf.rateLimitPer5Minutes': 'requests per IP per 5 minutes before WAF answers 429',
  'api.domain.name': 'custom domain; with it the execute-api endpoint is disabled',
  'api.domain.certificateArn': 'ACM certificate for the name, in the stack\'s region',
  'api.domain.truststoreVersion': 'S3 object version of the truststore',
  'api.executionLogRetentionDays': 'API Gateway execution log retention (a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, ...)',
  'functions.memorySize': 'MB, every function (arm64)',
  'functions.timeoutSeconds': 'API functions; API Gateway waits at most 29 s',
  'observability.auditRetentionDays': 'audit log and API access log retention (a CloudWatch retention)',
  'observability.auditKmsKeyArn': 'your key for the log groups (its policy must allow CloudWatch Logs); default: a key of the stack',
  'observability.alarmTopicArn': 'your SNS topic for alarms; default: a topic of the stack',
  'rotation.enabled': 'false: no rotation schedule (rotate by hand)',
  'rotation.intervalDays': 'days between rotations',
  'rotation.tokenLifetimeDays': 'lifetime of each new Databricks token or OAuth secret (Databricks allows 730 days at most); must exceed intervalDays',
  'reconciler.enabled': 'a scheduled function settles reservations a crash left unconfirmed',
};

function defaultOf(schema: Json, required: boolean, within: string): string {
  if (schema.default !== undefined) return code(JSON.stringify(schema.default));
  if (!required) return '';
  return within ? `**required** in ${code(within)}` : '**required**';
}

/** Rows for `schema` at `path`; `within` names the optional block a required field belongs to. */
function* rows(schema: Json, path: string, required: boolean, within: string, note = ''): Generator<ReferenceRow> {
  const tagged = schema.anyOf && (schema.anyOf as Json[]).every((b) => b.properties?.type?.const !== undefined);
  if (tagged) {
    const choices = (schema.anyOf as Json[]).map((b) => code(JSON.stringify(b.properties.type.const))).join(' or ');
    yield { field: code(`${path}.type`), type: choices, default: defaultOf({}, required, within), rules: '', description: STACK_NOTES[`${path}.type`] ?? '' };
    for (const branch of schema.anyOf as Json[]) yield* rows(branch, path, required, within, `with \`type: ${branch.properties.type.const}\``);
    return;
  }
  if (schema.type === 'object' && schema.properties) {
    const requiredKeys = new Set<string>(schema.required ?? []);
    // Inside a block that may be left out, "required" means required when the block is there.
    const block = path && !required && schema.default === undefined ? path : within;
    for (const [key, child] of Object.entries(schema.properties as Record<string, Json>)) {
      if (note && key === 'type') continue;
      yield* rows(child, path ? `${path}.${key}` : key, requiredKeys.has(key) && child.default === undefined, block, note);
    }
    return;
  }
  if (schema.type === 'object' && schema.patternProperties) {
    const [pattern, value] = Object.entries(schema.patternProperties as Record<string, Json>)[0]!;
    yield { field: code(path), type: 'map', default: defaultOf(schema, required, within), rules: `keys match ${code(pattern)}`, description: schema.description ?? '' };
    yield* rows(value, `${path}.<key>`, true, `${path}.<key>`, note);
    return;
  }
  if (schema.type === 'array' && schema.items?.type === 'object') {
    yield { field: code(path), type: 'list', default: defaultOf(schema, required, within), rules: rulesOf(schema), description: schema.description ?? '' };
    yield* rows(schema.items, `${path}[]`, true, `${path}[]`, note);
    return;
  }
  const description = [note, schema.description, STACK_NOTES[path]].filter(Boolean).join('; ');
  yield { field: code(path), type: typeOf(schema), default: defaultOf(schema, required, within), rules: rulesOf(schema), description };
}

/** The table, as Markdown. `local` (local mode only) is summarized in one row. */
export function configReferenceTable(): string {
  const schema = JSON.parse(JSON.stringify(ConfigSchema)) as Json;
  const { local: _local, ...deployed } = schema.properties;
  const lines = ['| field | type | default | rules | what it does |', '|---|---|---|---|---|'];
  for (const r of rows({ ...schema, properties: deployed }, '', true, '')) lines.push(`| ${r.field} | ${r.type} | ${r.default} | ${r.rules} | ${r.description} |`);
  lines.push('| `local.*` | object | | | local mode only (`npm start`): ports, emulators, faults, the jobs of the Databricks emulator (`local.databricks.jobs`), stand-in secrets; ignored by the stack |');
  return lines.join('\n');
}
