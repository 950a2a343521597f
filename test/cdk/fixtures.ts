// Shared GIVENs for the CDK tests: a small valid config, two real templates, and a project root whose Lambda entries exist.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template as AssertionTemplate } from 'aws-cdk-lib/assertions';
import { parseConfig, type GatewayConfig } from '../../lib/config.js';
import { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import type { Template } from '../../contract/template.js';
import { CDK_FEATURE_FLAGS } from './feature-flags.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';

/** The smallest realistic deploy config: one issuer, both backends, Google by Workload Identity, Databricks by PAT. */
const BASE_CONFIG = {
  name: 'TestGateway',
  auth: { issuers: [{ issuer: 'https://idp.example.com/oauth2/default', audience: 'api://jobs' }] },
  dataproc: {
    projectId: 'acme-data-test',
    region: 'europe-west1',
    credentials: {
      type: 'workload-identity',
      audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws',
      serviceAccount: 'gateway@acme-data-test.iam.gserviceaccount.com',
    },
  },
  databricks: { host: 'https://adb-1.1.azuredatabricks.net', credentials: { type: 'pat' } },
};

type Raw = Record<string, any>;

/** A validated config: BASE_CONFIG changed by `patch`. */
export function testConfig(patch: (raw: Raw) => void = () => {}): GatewayConfig {
  const raw = structuredClone(BASE_CONFIG) as Raw;
  patch(raw);
  return parseConfig(raw, 'test.yaml');
}

export const DATAPROC_TEMPLATE: Template = parseTemplate(
  `
id: daily-sales-etl
description: Rebuild one day of the sales mart
backend: dataproc
allowedGroups: [analysts]
allowAgents: true
datasets: [gs://acme-raw/sales]
parameters:
  type: object
  additionalProperties: false
  required: [date]
  properties:
    date: {type: string, pattern: "^\\\\d{4}-\\\\d{2}-\\\\d{2}$"}
dataproc:
  job:
    placement: {clusterName: etl-cluster}
    pysparkJob:
      mainPythonFileUri: gs://acme-jobs/daily_sales.py
      args: ["--date", "{{date}}"]
`,
  '/somewhere/on/this/machine/templates/daily-sales-etl.yaml',
);

export const DATABRICKS_TEMPLATE: Template = parseTemplate(
  `
id: refresh-features
description: Refresh the feature store
backend: databricks
allowedGroups: [data-eng]
allowAgents: false
datasets: []
parameters: {type: object, additionalProperties: false, properties: {}}
databricks:
  runNow: {jobId: 42}
`,
  '/somewhere/on/this/machine/templates/refresh-features.yaml',
);

const ENTRIES = ['authorizer', 'catalog', 'jobs', 'admin', 'reconciler', 'rotation'].map((f) => `lambda/${f}/index.ts`);

let root: string | undefined;
/** A project root holding a lock file and every Lambda entry: bundling is skipped in tests, so only their existence matters. */
function fixtureProjectRoot(): string {
  if (root) return root;
  root = mkdtempSync(join(tmpdir(), 'djg-cdk-'));
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}');
  for (const entry of ENTRIES) {
    mkdirSync(dirname(join(root, entry)), { recursive: true });
    writeFileSync(join(root, entry), 'export const handler = async () => ({});\n');
  }
  return root;
}

/** An app with cdk.json's feature flags that skips esbuild bundling, so synth takes milliseconds. */
export const testApp = () => new App({ context: { ...CDK_FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] } });

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/** GIVEN a config and templates, WHEN the stack is built: the stack and its template. */
export function buildStack(config: GatewayConfig = testConfig(), templates: readonly Template[] = [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE]) {
  const stack = new DataJobGatewayStack(testApp(), 'Gateway', { config, templates, env: TEST_ENV, projectRoot: fixtureProjectRoot() });
  return { stack, template: AssertionTemplate.fromStack(stack) };
}

type Patch = (raw: Raw) => void;

/** Every shape the stack takes, for checks that must hold for all of them (cdk-nag, the CloudFormation spec). */
export const STACK_VARIANTS: Record<string, { patch: Patch; dataprocOnly?: boolean }> = {
  'the base config (no WAF, PAT, Workload Identity)': { patch: () => {} },
  'everything on (WAF, usage plan, mTLS domain, customer-managed ledger key, existing audit key)': {
    patch: (raw) => {
      raw.api = {
        waf: { enabled: true },
        usagePlan: { quotaPerDay: 1000 },
        domain: { name: 'jobs.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc', truststoreUri: 's3://pki/trust.pem' },
        routeThrottles: { 'POST /jobs': { rateLimit: 5, burstLimit: 10 } },
      };
      raw.ledger = { encryption: 'customer-managed' };
      raw.observability = { auditKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555' };
    },
  },
  'Google service-account key and Databricks OAuth': {
    patch: (raw) => {
      raw.dataproc.credentials = { type: 'service-account-key', serviceAccount: 'gateway@acme-data-test.iam.gserviceaccount.com' };
      raw.databricks.credentials = { type: 'oauth-m2m' };
    },
  },
  'rotation disabled': { patch: (raw) => (raw.rotation = { enabled: false }) },
  'existing secrets': { patch: (raw) => (raw.databricks.credentials.secretName = 'platform/databricks') },
  'Dataproc only (no secrets, no rotation)': { patch: (raw) => delete raw.databricks, dataprocOnly: true },
  'unprotected ledger without PITR': { patch: (raw) => (raw.ledger = { deletionProtection: false, pointInTimeRecovery: false }) },
  'an existing alarm topic': { patch: (raw) => (raw.observability = { alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms' }) },
};

/** GIVEN a variant of STACK_VARIANTS, WHEN the stack is built. */
export const buildVariant = (name: string) => {
  const { patch, dataprocOnly } = STACK_VARIANTS[name]!;
  return buildStack(testConfig(patch), dataprocOnly ? [DATAPROC_TEMPLATE] : undefined);
};
