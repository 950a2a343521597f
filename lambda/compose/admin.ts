// The admin function, composed: revocations, which also cancel the revoked principal's active jobs.
import type { RuntimeSettings } from '../../contract/settings.js';
import { RevocationService } from '../core/revocation-service.js';
import type { RevocationStore } from '../core/revocations.js';
import { createApiHandler, type ProxyHandler } from '../http/api-handler.js';
import { adminRoutes } from '../routes/admin.js';
import { jobsService, type JobsAdapters } from './jobs.js';
import { apiHandlerDeps } from './api.js';

export interface AdminAdapters extends Omit<JobsAdapters, 'keyedHash'> {
  readonly revocations: RevocationStore;
}

export function composeAdmin(settings: RuntimeSettings<'admin'>, adapters: AdminAdapters): { readonly handler: ProxyHandler; readonly revocations: RevocationService } {
  // The jobs service without the MAC key: the admin function submits nothing.
  const jobs = jobsService(settings, adapters);
  const revocations = new RevocationService({ store: adapters.revocations, ledger: adapters.ledger, jobs, audit: adapters.audit, access: settings.access });
  return { revocations, handler: createApiHandler('admin', adminRoutes(revocations), apiHandlerDeps(settings, adapters)) };
}
