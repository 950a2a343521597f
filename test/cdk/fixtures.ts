// Shared GIVENs for the CDK tests: a small valid config, two real templates, and a project root whose Lambda entries exist.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template as AssertionTemplate } from 'aws-cdk-lib/assertions';
import { parseConfig, type GatewayConfig } from '../../lib/config.js';
import { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import type { Template } from '../../lambda/core/template.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';

/** The smallest realistic deploy config: one issuer, both backends, Google by Workload Identity, Databricks by PAT. */
export const BASE_CONFIG = {
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

export const ENTRIES = ['authorizer', 'catalog', 'jobs', 'admin', 'reconciler', 'rotation'].map((f) => `lambda/${f}/index.ts`);

let root: string | undefined;
/** A project root holding a lock file and every Lambda entry: bundling is skipped in tests, so only their existence matters. */
export function fixtureProjectRoot(): string {
  if (root) return root;
  root = mkdtempSync(join(tmpdir(), 'djg-cdk-'));
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}');
  for (const entry of ENTRIES) {
    mkdirSync(dirname(join(root, entry)), { recursive: true });
    writeFileSync(join(root, entry), 'export const handler = async () => ({});\n');
  }
  return root;
}

/** An app that skips esbuild bundling, so synth takes milliseconds. */
export const testApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/** GIVEN a config and templates, WHEN the stack is built: the stack and its template. */
export function buildStack(config: GatewayConfig = testConfig(), templates: readonly Template[] = [DATAPROC_TEMPLATE, DATABRICKS_TEMPLATE]) {
  const stack = new DataJobGatewayStack(testApp(), 'Gateway', { config, templates, env: TEST_ENV, projectRoot: fixtureProjectRoot() });
  return { stack, template: AssertionTemplate.fromStack(stack) };
}
