// The saved queries: one definition, well-formed, parameters spliced safely, and the very strings the stack saves.
import { describe, expect, test } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import { AUDIT_QUERIES, AUDIT_QUERY_LIST, InvalidQueryParameter, renderQuery } from '../../contract/audit-queries.js';
import type { Observability } from '../../lib/constructs/observability.js';
import { dashboardBody, observedStack } from './fixtures.js';

describe('the audit queries', () => {
  test('answer the questions docs/auditors.md promises of the audit trail', () => {
    expect(AUDIT_QUERY_LIST.map((q) => q.name)).toEqual(['who-ran', 'principal', 'denied', 'failures', 'submissions', 'submissions-per-day', 'rotations', 'approvals-by', 'under-approved', 'self-approvals']);
    expect(AUDIT_QUERIES['who-ran'].queryString).toContain('jobId = "{{jobId}}"');
    expect(AUDIT_QUERIES.principal.queryString).toContain('principal.subject = "{{subject}}"');
    expect(AUDIT_QUERIES.denied.queryString).toContain('outcome = "denied"');
    expect(AUDIT_QUERIES['submissions-per-day'].queryString).toContain('stats count(*) as submissions by bin(1d) as day, template, backend');
    expect(AUDIT_QUERIES.rotations.queryString).toContain('event in ["secret.rotated", "secret.rotation_failed", "secret.not_provisioned"]');
  });

  test.each(AUDIT_QUERY_LIST.map((q) => [q.name, q] as const))('%s: reads only audit lines, names every placeholder, and shows its columns', (_, q) => {
    expect(q.queryString).toContain('filter ispresent(outcome)');
    const placeholders = [...q.queryString.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(q.parameters.map((p) => p.name)));
    const fields = /^fields (.*)$/m.exec(q.queryString)?.[1];
    if (fields) expect(fields.split(', ')).toEqual(q.columns);
    expect(Object.isFrozen(q)).toBe(true);
  });

  test('renderQuery fills every occurrence of a parameter', () => {
    const text = renderQuery(AUDIT_QUERIES.principal, { subject: 'alice@example.com' });
    expect(text).toContain('principal.subject = "alice@example.com" or target.subject = "alice@example.com"');
    expect(text).not.toContain('{{');
  });

  test.each([
    ['a double quote', 'x" or outcome = "success'],
    ['a backslash', 'a\\b'],
    ['a newline', 'a\n| stats count(*)'],
  ])('renderQuery refuses a value with %s: it could rewrite the query', (_, value) => {
    expect(() => renderQuery(AUDIT_QUERIES['who-ran'], { jobId: value })).toThrow(InvalidQueryParameter);
  });

  test('renderQuery refuses a missing value and names the parameter', () => {
    expect(() => renderQuery(AUDIT_QUERIES['who-ran'], {})).toThrow('who-ran needs <jobId>');
  });
});

describe('the CLI and the stack share the query objects', () => {
  // GIVEN the stack, synthesized once
  let built: { observability: Observability; template: Template } | undefined;
  const synthesized = () => {
    if (!built) {
      const { stack, observability } = observedStack();
      built = { observability, template: Template.fromStack(stack) };
    }
    return built;
  };

  test('every saved QueryDefinition is the query string the CLI runs, with its parameters declared', () => {
    // WHEN
    const { template, observability } = synthesized();
    // THEN
    template.resourceCountIs('AWS::Logs::QueryDefinition', AUDIT_QUERY_LIST.length);
    for (const q of AUDIT_QUERY_LIST) {
      template.hasResourceProperties('AWS::Logs::QueryDefinition', {
        Name: `TestGateway/${q.title}`,
        QueryString: q.queryString,
        ...(q.parameters.length ? { Parameters: q.parameters.map((p) => ({ Name: p.name, Description: p.description })) } : {}),
      });
      expect(observability.queries[q.name].queryString).toBe(q.queryString);
    }
  });

  test('the dashboard runs the same submissions and denials queries on the audit log group', () => {
    const body = dashboardBody(synthesized().template);
    const queries = body.widgets.filter((w: any) => w.type === 'log').map((w: any) => w.properties.query);
    expect(queries).toEqual([AUDIT_QUERIES.submissions, AUDIT_QUERIES.denied].map((q) => `SOURCE '<Ref:AuditLogA5B7094E>' | ${q.queryString}`));
  });
});
