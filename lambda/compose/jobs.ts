// The jobs function, composed: submit, list, read, cancel and read the output of jobs; auditors' fingerprints.
import type { RuntimeSettings } from '../../contract/settings.js';
import type { BackendEntries } from '../core/backend-loader.js';
import { TemplateCatalog } from '../core/catalog.js';
import { JobOutputReader } from '../core/job-output.js';
import { JobsService } from '../core/jobs.js';
import type { KeyedHash } from '../core/keyed-hash.js';
import type { ActiveSlots, Ledger } from '../core/ledger.js';
import type { JobMetrics } from '../core/metrics.js';
import type { ApprovalEvents } from '../core/approvals/events.js';
import type { RevocationCheck } from '../core/revocations.js';
import { createApiHandler, type ProxyHandler } from '../http/api-handler.js';
import { jobsRoutes } from '../routes/jobs.js';
import { apiHandlerDeps, type ApiAdapters } from './api.js';

export interface JobsAdapters extends ApiAdapters {
  readonly ledger: Ledger & ActiveSlots;
  readonly backends: BackendEntries;
  /** The MAC key (lambda/core/keyed-hash.ts): only where jobs are submitted. */
  readonly keyedHash?: () => Promise<KeyedHash>;
  readonly metrics?: JobMetrics;
  /** Where approval requests and decisions are published (lambda/adapters/eventbridge/approval-events.ts deployed). */
  readonly events?: ApprovalEvents;
}

/** The jobs service as the jobs and admin functions use it (admin cancels a revoked principal's jobs). */
export function jobsService(settings: RuntimeSettings<'jobs'> | RuntimeSettings<'admin'>, adapters: Omit<JobsAdapters, 'isRevoked' | 'baseUrl'> & { readonly isRevoked?: RevocationCheck }): JobsService {
  return new JobsService({
    catalog: new TemplateCatalog(settings.templates),
    backends: adapters.backends,
    ledger: adapters.ledger,
    slots: adapters.ledger,
    audit: adapters.audit,
    access: settings.access,
    ...(adapters.keyedHash && { keyedHash: adapters.keyedHash }),
    ...(adapters.metrics && { metrics: adapters.metrics }),
    ...(adapters.events && { events: adapters.events }),
    ...(adapters.isRevoked && { isRevoked: adapters.isRevoked }),
    log: adapters.log,
  });
}

export function composeJobs(settings: RuntimeSettings<'jobs'>, adapters: JobsAdapters): { readonly handler: ProxyHandler; readonly service: JobsService } {
  const service = jobsService(settings, adapters);
  const output = new JobOutputReader({ jobs: service, audit: adapters.audit });
  return { service, handler: createApiHandler('jobs', jobsRoutes(service, output), apiHandlerDeps(settings, adapters)) };
}
