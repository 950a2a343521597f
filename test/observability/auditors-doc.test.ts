// docs/auditors.md tells auditors the truth: the query strings it prints are the ones the stack saves and the CLI runs,
// and it lists every alarm and every CLI command.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { AUDIT_QUERY_LIST } from '../../contract/audit-queries.js';
import { ALARM_DEFAULTS } from '../../lib/observability/alarms.js';

const doc = readFileSync(new URL('../../docs/auditors.md', import.meta.url), 'utf8');

describe('docs/auditors.md', () => {
  test.each(AUDIT_QUERY_LIST.map((q) => [q.name, q] as const))('prints the %s query exactly, with its command', (name, q) => {
    expect(doc).toContain(`\`\`\`\n${q.queryString}\n\`\`\``);
    expect(doc).toContain(`djg audit ${[name, ...q.parameters.map((p) => `<${p.name}>`)].join(' ')}`);
    expect(doc).toContain(`**${q.title}**`);
  });

  test('lists every alarm with its threshold', () => {
    for (const suffix of ['api-5xx-rate', 'authorizer-errors', 'dataproc-submit-failures', 'databricks-submit-failures', 'rotation-failures', '<function>-throttles']) expect(doc).toContain(`\`${suffix}\``);
    expect(doc).toContain(`at least ${ALARM_DEFAULTS.apiServerErrorRatePercent}% of API requests answered 5xx, once the window holds ${ALARM_DEFAULTS.apiServerErrorMinRequests} requests`);
    expect(doc).toContain(`| ${ALARM_DEFAULTS.submitFailures} failed submissions to that backend |`);
  });
});
