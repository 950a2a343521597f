// What POST /jobs answers when the caller may not run a template: the same 404 as for a template that does not
// exist (the catalog answers alike), whatever the reason; the audit event keeps the reason.
import { Logger } from '@aws-lambda-powertools/logger';
import { AuditTrail } from '../../lambda/core/audit.js';
import { TemplateCatalog } from '../../lambda/core/catalog.js';
import { TemplateNotFound } from '../../lambda/core/errors.js';
import { JobsService, type RequestFacts } from '../../lambda/core/jobs.js';
import type { Ledger } from '../../lambda/core/ledger.js';
import type { Principal } from '../../lambda/core/principal.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';

const template = parseTemplate(
  `id: agents-barred
description: users only
backend: databricks
allowedGroups: [analysts]
allowAgents: false
parameters: {type: object, additionalProperties: false, properties: {}}
databricks: {runNow: {jobId: 7}}
`,
  'templates/agents-barred.yaml',
);

// No call may reach the ledger or a backend: the refusal comes first.
const untouchable = new Proxy({}, { get: (_, name) => () => Promise.reject(new Error(`unexpected ledger call ${String(name)}`)) }) as Ledger;

function service() {
  const lines: Record<string, unknown>[] = [];
  const audit = new AuditTrail(new Logger({ logLevel: 'SILENT' }), [(l) => lines.push(l)]);
  const jobs = new JobsService({ catalog: new TemplateCatalog([template]), backends: {}, ledger: untouchable, audit, access: { auditorGroups: [], adminGroups: [] } });
  return { jobs, lines };
}

const req: RequestFacts = { requestId: 'req-1', baseUrl: 'https://api.example.com/v1' };
const who = (groups: string[], kind: Principal['kind']): Principal => ({ issuer: 'https://idp.example.com', subject: 's', groups, kind, scopes: [] });

async function refusal(p: Principal, id: string, jobs = service().jobs): Promise<TemplateNotFound> {
  const err = await jobs.submit({ principal: p, template: id, parameters: {} }, req).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TemplateNotFound);
  return err as TemplateNotFound;
}

describe('POST /jobs refusals reveal nothing about which templates exist', () => {
  it.each([
    ['a caller in none of the allowed groups', who(['marketing'], 'user'), 'group_not_allowed'],
    ['a machine token on a template with allowAgents: false', who(['analysts'], 'agent'), 'agents_not_allowed'],
    ['a token of unknown kind on a template with allowAgents: false', who(['analysts'], 'unknown'), 'kind_unknown'],
  ])('answers %s exactly as for an unknown template, and audits the reason', async (_, principal, reason) => {
    const { jobs, lines } = service();
    const denied = await refusal(principal, 'agents-barred', jobs);
    const unknown = await refusal(principal, 'no-such-one');
    expect([denied.status, denied.type, denied.title]).toEqual([unknown.status, unknown.type, unknown.title]);
    expect(denied.message).toBe('no template named "agents-barred"');
    expect(lines).toEqual([expect.objectContaining({ event: 'job.denied', outcome: 'denied', template: 'agents-barred', reason })]);
  });
});
