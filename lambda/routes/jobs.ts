// The jobs function's routes: submit, list, read, cancel, read output, and auditors' fingerprints (contract/routes.ts
// lists them; lambda/http/api-handler.ts dispatches to these).
import type { JobStatus } from '../../contract/job-status.js';
import type { JobOutputReader } from '../core/job-output.js';
import type { JobsService } from '../core/jobs.js';
import type { RouteHandlers } from '../http/api-handler.js';

export function jobsRoutes(service: JobsService, output: JobOutputReader): RouteHandlers<'jobs'> {
  return {
    'POST /jobs': async ({ principal, facts, body, query, headers }) => {
      const result = await service.submit(
        {
          principal,
          template: body.template as string,
          parameters: body.parameters ?? {},
          idempotencyKey: headers['Idempotency-Key'],
          dryRun: query.dryRun === true,
        },
        facts,
      );
      if (result.kind === 'dryRun') return { status: 200, body: { dryRun: true, jobId: result.jobId, template: result.template, backend: result.backend, request: result.request } };
      return { body: result.job, headers: { Location: result.job.links.self, ...(result.replayed ? { 'Idempotent-Replayed': 'true' } : {}) } };
    },
    'GET /jobs': async ({ principal, facts, query }) => ({
      body: await service.list(
        principal,
        {
          limit: (query.limit as number | undefined) ?? 20,
          cursor: query.cursor as string | undefined,
          principal: query.principal as string | undefined,
          filter: { status: query.status as JobStatus | undefined, template: query.template as string | undefined, since: query.since as string | undefined },
        },
        facts,
      ),
    }),
    'GET /jobs/{id}': async ({ principal, facts, path }) => ({ body: await service.get(principal, path.id ?? '', facts) }),
    'GET /jobs/{id}/output': async ({ principal, facts, path, query }) => ({ body: await output.read(principal, path.id ?? '', (query.offset as number | undefined) ?? 0, facts) }),
    'POST /jobs/{id}/cancel': async ({ principal, facts, path }) => ({ body: await service.cancel(principal, path.id ?? '', facts) }),
    'GET /approvals': async ({ principal, facts, query }) => ({
      body: await service.approvals(principal, { limit: (query.limit as number | undefined) ?? 20, cursor: query.cursor as string | undefined }, facts),
    }),
    'POST /jobs/{id}/approve': async ({ principal, facts, path, body }) => ({ body: await service.decide(principal, path.id ?? '', 'approve', body.comment as string | undefined, facts) }),
    'POST /jobs/{id}/reject': async ({ principal, facts, path, body }) => ({ body: await service.decide(principal, path.id ?? '', 'reject', body.comment as string | undefined, facts) }),
    'POST /audit/fingerprints': async ({ principal, facts, body }) => ({ body: await service.fingerprint(principal, body.value as string, facts) }),
  };
}
