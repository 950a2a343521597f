// The configured backends, each loaded on first use: the jobs function loads Google's client only when a Dataproc job
// needs it, and a failed load is tried again next time.
import type { JobBackend } from './backend.js';
import type { BackendName } from '../../contract/backends.js';
import { BackendFailure } from './errors.js';

/** A backend, or a loader for one. */
export type BackendEntries = Partial<Record<BackendName, JobBackend | (() => Promise<JobBackend>)>>;

export class BackendLoader {
  private readonly loaded = new Map<BackendName, Promise<JobBackend>>();

  constructor(private readonly entries: BackendEntries) {}

  /** The backend of that name; a 503 problem when this gateway has none configured. */
  load(name: BackendName): Promise<JobBackend> {
    const entry = this.entries[name];
    if (!entry) return Promise.reject(new BackendFailure(name, 503, 'NOT_CONFIGURED', `the ${name} backend is not configured on this gateway`));
    if (typeof entry !== 'function') return Promise.resolve(entry);
    let loading = this.loaded.get(name);
    if (!loading) {
      loading = entry();
      this.loaded.set(name, loading);
      loading.catch(() => this.loaded.delete(name));
    }
    return loading;
  }
}
