// cdk-nag AwsSolutions over every shape the stack takes: each finding is fixed or acknowledged in code with a reason.
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import type { DataJobGatewayStack } from '../../lib/data-job-gateway-stack.js';
import { buildVariant, STACK_VARIANTS as VARIANTS } from './fixtures.js';

describe('cdk-nag AwsSolutions', () => {
  // GIVEN each variant built once up front (the first synth in a worker loads most of aws-cdk-lib)
  const stacks = new Map<string, DataJobGatewayStack>();
  beforeAll(() => {
    for (const name of Object.keys(VARIANTS)) stacks.set(name, buildVariant(name).stack);
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
