// What every step of the jobs service shares: its ports, the clock, the audit trail and the job as the API shows it.
import type { JobView } from '../../../contract/api-schemas.js';
import type { BackendName } from '../../../contract/backends.js';
import type { Template } from '../../../contract/template.js';
import type { AuditEvent, AuditTrail } from '../audit.js';
import type { JobBackend } from '../backend.js';
import { BackendLoader, type BackendEntries } from '../backend-loader.js';
import type { TemplateCatalog } from '../catalog.js';
import type { KeyedHash } from '../keyed-hash.js';
import type { ActiveSlots, JobRecord, Ledger } from '../ledger.js';
import { noMetrics, type JobMetrics } from '../metrics.js';
import type { AccessPolicy } from '../policy.js';
import type { Principal } from '../principal.js';
import type { RevocationCheck } from '../revocations.js';
import { noApprovalEvents, type ApprovalEvents } from '../approvals/events.js';
import { approvalView } from '../approvals/state.js';

/** Facts about the HTTP request that belong in the audit trail and in links. */
export interface RequestFacts {
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** Absolute base URL of this API, for `links.self`. */
  readonly baseUrl: string;
}

export interface JobsServiceDeps {
  readonly catalog: TemplateCatalog;
  /** A backend, or a loader for one: the jobs function loads Google's client only when a Dataproc job needs it. */
  readonly backends: BackendEntries | BackendLoader;
  readonly ledger: Ledger;
  /** Where maxActivePerPrincipal is enforced race-free; without it the limit is checked by listing (best effort). */
  readonly slots?: ActiveSlots;
  readonly audit: AuditTrail;
  readonly access: AccessPolicy;
  /**
   * The deployment's MAC key (request hashes, principal labels, personal fingerprints), loaded on first use. Only the
   * function that submits has it; without it `submit` and `fingerprint` fail. @default none
   */
  readonly keyedHash?: () => Promise<KeyedHash>;
  readonly metrics?: JobMetrics;
  /** Where approval requests and decisions are published (EventBridge deployed, a file locally). @default none */
  readonly events?: ApprovalEvents;
  /** Whether an approver has been revoked since deciding: their decision then no longer counts. @default none revoked */
  readonly isRevoked?: RevocationCheck;
  readonly now?: () => Date;
  readonly log?: { warn(message: string, extra?: Record<string, unknown>): void };
}

/** The dependencies with their defaults applied, built once per service and passed to every step. */
export class JobsContext {
  readonly catalog: TemplateCatalog;
  readonly ledger: Ledger;
  readonly slots?: ActiveSlots;
  readonly access: AccessPolicy;
  readonly metrics: JobMetrics;
  readonly events: ApprovalEvents;
  readonly isRevoked?: RevocationCheck;
  readonly log?: JobsServiceDeps['log'];
  private readonly backends: BackendLoader;
  private readonly trail: AuditTrail;
  private readonly keyedHash?: () => Promise<KeyedHash>;
  private readonly clock: () => Date;

  constructor(deps: JobsServiceDeps) {
    this.catalog = deps.catalog;
    this.ledger = deps.ledger;
    this.slots = deps.slots;
    this.access = deps.access;
    this.metrics = deps.metrics ?? noMetrics;
    this.events = deps.events ?? noApprovalEvents;
    this.isRevoked = deps.isRevoked;
    this.log = deps.log;
    this.backends = deps.backends instanceof BackendLoader ? deps.backends : new BackendLoader(deps.backends);
    this.trail = deps.audit;
    this.keyedHash = deps.keyedHash;
    this.clock = deps.now ?? (() => new Date());
  }

  /** The backend a template or job runs on, loaded on first use. */
  backendFor(t: { backend: BackendName }): Promise<JobBackend> {
    return this.backends.load(t.backend);
  }

  keyed(): Promise<KeyedHash> {
    if (!this.keyedHash) return Promise.reject(new Error('this function has no MAC key: only the jobs function submits jobs'));
    return this.keyedHash();
  }

  /** Now, as the ledger records times (ISO 8601). */
  timestamp(): string {
    return this.clock().toISOString();
  }

  now(): Date {
    return this.clock();
  }

  /** Record an event whose principal is already set (the approvals' steps, which also run in the reconciler). */
  record(event: AuditEvent): void {
    this.trail.record(event);
  }

  /** Record a decision taken for `principal` in this request. */
  audit(req: RequestFacts, principal: Principal, event: Omit<AuditEvent, 'principal' | 'requestId' | 'sourceIp' | 'userAgent'>): void {
    this.trail.record({
      ...event,
      principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind, groups: principal.groups },
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    } as AuditEvent);
  }
}

/** What every audit event about a template says of it. */
export function templateFacts(t: Template) {
  return { template: t.id, backend: t.backend, datasets: t.datasets };
}

/** A ledger row as the API shows it (contract/api-schemas.ts JobView). */
export function jobView(r: JobRecord, req: RequestFacts): JobView {
  return {
    id: r.id,
    template: r.template,
    backend: r.backend,
    status: r.status,
    backendStatus: r.backendStatus,
    ...(r.message ? { message: r.message } : {}),
    parameters: r.parameters,
    principal: r.principal,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    links: { self: `${req.baseUrl}/jobs/${r.id}`, ...(r.backendRef?.consoleUrl ? { console: r.backendRef.consoleUrl } : {}) },
    ...(r.approval ? { approval: approvalView(r.approval) } : {}),
  };
}
