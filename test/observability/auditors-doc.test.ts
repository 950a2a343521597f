// docs/auditors.md tells auditors the truth: the query strings it prints are the ones the stack saves and the CLI runs,
// it lists every CLI command, every metric the functions emit as contract/signals.ts defines it, and every alarm with
// the threshold and period it is built with.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { AUDIT_QUERY_LIST } from '../../contract/audit-queries.js';
import { SIGNALS, type Signal, type SignalAlarm, type SignalName } from '../../contract/signals.js';
import { AWS_ALARM_THRESHOLDS } from '../../lib/observability/alarms.js';

const doc = readFileSync(new URL('../../docs/auditors.md', import.meta.url), 'utf8');

describe('docs/auditors.md', () => {
  test.each(AUDIT_QUERY_LIST.map((q) => [q.name, q] as const))('prints the %s query exactly, with its command', (name, q) => {
    expect(doc).toContain(`\`\`\`\n${q.queryString}\n\`\`\``);
    expect(doc).toContain(`djg audit ${[name, ...q.parameters.map((p) => `<${p.name}>`)].join(' ')}`);
    expect(doc).toContain(`**${q.title}**`);
  });

  const signals: readonly Signal[] = (Object.keys(SIGNALS) as SignalName[]).map((name) => SIGNALS[name]);
  const dims = (set: readonly string[]) => `\`${['service', ...set].join(', ')}\``;

  test.each(signals.map((s) => [s.metric, s] as const))('lists the metric %s with its unit and exactly its dimension sets', (_, s) => {
    expect(doc).toContain(`| \`${s.metric}\` | ${s.unit} | ${Object.values(s.sets).map(dims).join('; ')} |`);
  });

  /** An alarm's row: how the table names it (`<backend>` for one per backend...), and when it fires, as the rule builds it. */
  function row(metric: string, rule: SignalAlarm, set: readonly string[]): { name: string; firesWhen: string } {
    const period = rule.periodMinutes === 60 ? 'an hour' : `${rule.periodMinutes} minutes`;
    const reads = `\`${metric}\` (${dims(set)})`;
    if ('each' in rule) return { name: `| \`${rule.name.replace('{value}', `<${rule.each}>`)}\``, firesWhen: `| ${rule.threshold} or more ${reads} for that ${rule.each} in ${period}` };
    if ('sumOver' in rule) return { name: `| \`${rule.name}\``, firesWhen: `| ${rule.threshold} or more ${reads} in ${period}, summed over ${rule.sumOver.values.map((v) => `\`${v}\``).join(', ')}:` };
    return { name: `| \`${rule.name}\``, firesWhen: `| ${rule.threshold} or more Lambda \`Errors\` of the ${rule.unexplainedErrorsOf} function, minus its ${reads} for the rotated ${rule.per}s, in ${period}:` };
  }

  test.each(signals.flatMap((s) => s.alarms.map((rule) => [rule.name.replace('{value}', `<${'each' in rule ? rule.each : ''}>`), s, rule] as const)))('lists the alarm %s with what it reads, its threshold and its period', (_, s, rule) => {
    const { name, firesWhen } = row(s.metric, rule, s.sets[rule.set]!);
    const line = doc.split('\n').find((l) => l.startsWith(name));
    expect(line).toBeDefined();
    expect(line).toContain(firesWhen);
  });

  test('lists the alarms on API Gateway and Lambda metrics with their thresholds', () => {
    expect(doc).toContain(`| \`api-5xx-rate\` | at least ${AWS_ALARM_THRESHOLDS.apiServerErrorRatePercent}% of API requests answered 5xx, once the window holds ${AWS_ALARM_THRESHOLDS.apiServerErrorMinRequests} requests`);
    expect(doc).toContain(`| \`<function>-throttles\` (authorizer, catalog, jobs, admin...) | ${AWS_ALARM_THRESHOLDS.throttles} throttled invocation`);
  });
});
