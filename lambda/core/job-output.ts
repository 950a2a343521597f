// GET /jobs/{id}/output: a job's driver output from a byte offset, with the same read rights as the job itself.
// The output is data the job produced: every read is audited, the text never is.
import type { JobOutput } from '../../contract/api-schemas.js';
import type { AuditTrail } from './audit.js';
import { BackendFailure } from './errors.js';
import type { JobsService, RequestFacts } from './jobs.js';
import type { Principal } from './principal.js';
import { isTerminal } from '../../contract/job-status.js';

/** Bytes of output one call returns at most: a few hundred KB keep a Lambda response small and a poll fast. */
const MAX_OUTPUT_BYTES = 256 * 1024;

export interface JobOutputDeps {
  readonly jobs: Pick<JobsService, 'readable' | 'refresh' | 'backendFor'>;
  readonly audit: AuditTrail;
  /** @default MAX_OUTPUT_BYTES */
  readonly maxBytes?: number;
}

export class JobOutputReader {
  private readonly maxBytes: number;

  constructor(private readonly deps: JobOutputDeps) {
    this.maxBytes = Math.max(1024, deps.maxBytes ?? MAX_OUTPUT_BYTES);
  }

  /**
   * `complete` is true once the job has ended and everything it wrote has been read. The status is read before the
   * output, so output written just before the job ended is never mistaken for the end.
   */
  async read(principal: Principal, id: string, offset: number, req: RequestFacts): Promise<JobOutput> {
    const row = await this.deps.jobs.refresh(await this.deps.jobs.readable(principal, id));
    const ended = isTerminal(row.status);
    let chunk = { text: '', nextOffset: offset, atEnd: true };
    if (row.backendRef) {
      const backend = await this.deps.jobs.backendFor(row);
      if (!backend.readOutput) throw new BackendFailure(row.backend, 502, 'OUTPUT_UNSUPPORTED', `the ${row.backend} backend cannot read job output`);
      chunk = await backend.readOutput(row.backendRef, { offset, limit: this.maxBytes });
    }
    this.deps.audit.record({
      event: 'job.output_read',
      outcome: 'success',
      principal: { issuer: principal.issuer, subject: principal.subject, kind: principal.kind, groups: principal.groups },
      jobId: row.id,
      template: row.template,
      backend: row.backend,
      ...(row.backendRef ? { backendJobId: row.backendRef.id } : {}),
      // where the read started and how much it returned; the text itself stays out of the audit trail
      offset,
      bytes: chunk.nextOffset - offset,
      requestId: req.requestId,
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    });
    return { text: chunk.text, nextOffset: chunk.nextOffset, complete: ended && chunk.atEnd };
  }
}
