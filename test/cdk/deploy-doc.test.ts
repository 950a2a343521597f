// docs/deploy.md's config reference is generated from the schema; this keeps the two in step.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/constructs/functions.js';
import { configReferenceTable } from './config-reference.js';
import { buildStack, testConfig } from './fixtures.js';

const DOC = join(PROJECT_ROOT, 'docs/deploy.md');
const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

describe('docs/deploy.md', () => {
  it('has the config reference the schema generates (UPDATE_DOCS=1 rewrites it)', () => {
    // GIVEN the doc and the table generated from lib/config.ts
    const doc = readFileSync(DOC, 'utf8');
    const [before, rest] = doc.split(START);
    const [current, after] = rest!.split(END);
    const generated = `\n${configReferenceTable()}\n`;

    // WHEN asked to, bring the doc up to date
    if (process.env.UPDATE_DOCS === '1' && current !== generated) writeFileSync(DOC, `${before}${START}${generated}${END}${after}`);

    // THEN the doc shows exactly the generated table
    expect(readFileSync(DOC, 'utf8').split(START)[1]!.split(END)[0]).toBe(generated);
  });

  it('explains every output the stack can have', () => {
    // GIVEN a stack with every optional part (key mode, usage plan, custom domain)
    const { template } = buildStack(
      testConfig((raw) => {
        raw.dataproc.credentials = { type: 'service-account-key', serviceAccount: 'gateway@acme-data-test.iam.gserviceaccount.com' };
        raw.api = { usagePlan: { quotaPerDay: 100 }, domain: { name: 'jobs.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } };
      }),
    );

    // THEN the doc's output table names each of its outputs
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs.length).toBeGreaterThan(8);
    const doc = readFileSync(DOC, 'utf8');
    for (const output of outputs) expect(doc).toContain(`\`${output}\``);
  });
});
