// cdk-nag AwsSolutions over every shape the stack takes: each finding is fixed or acknowledged in code with a reason.
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import type { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import { buildStack, DATAPROC_TEMPLATE, testConfig } from './fixtures.js';

type Patch = (raw: Record<string, any>) => void;

const VARIANTS: Record<string, { patch: Patch; dataprocOnly?: boolean }> = {
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
};

describe('cdk-nag AwsSolutions', () => {
  // GIVEN each variant built once up front (the first synth in a worker loads most of aws-cdk-lib)
  const stacks = new Map<string, DataJobGatewayStack>();
  beforeAll(() => {
    for (const [name, { patch, dataprocOnly }] of Object.entries(VARIANTS)) {
      stacks.set(name, buildStack(testConfig(patch), dataprocOnly ? [DATAPROC_TEMPLATE] : undefined).stack);
    }
  }, 120_000);

  it.each(Object.keys(VARIANTS))('finds nothing unacknowledged for %s', (name) => {
    // WHEN the rules run; THEN every finding is fixed or acknowledged
    const report = new AwsSolutionsChecks().validateScope(stacks.get(name)!);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges every finding with a reason of a full sentence', () => {
    // GIVEN the stack with the most acknowledgments
    const stack = stacks.get('rotation disabled')!;

    // WHEN the acknowledgments are collected from the construct tree
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>)));

    // THEN each names its rule and says why
    expect(acks.length).toBeGreaterThan(5);
    for (const [id, reason] of acks) {
      expect(id).toMatch(/^Annotation::AwsSolutions-[A-Z0-9]+/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});
