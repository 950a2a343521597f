// Dataproc's de-duplication keys derived from our job id, each within Dataproc's character and length rules.
import { createHash } from 'node:crypto';

/** Our job ids: `job-` + 26 of [a-z0-9] today; any 4-60 characters of [a-z0-9-] are accepted. */
const GATEWAY_JOB_ID = /^[a-z0-9-]{4,60}$/;
/** Dataproc `requestId`: at most 40 of [A-Za-z0-9_-]. */
const REQUEST_ID_MAX = 40;
/** `batchId` in its strictest reading (RFC 1035 style): a letter first, a letter or digit last, 4-63 of [a-z0-9-]. */
const STRICT_BATCH_ID = /^[a-z][a-z0-9-]{2,61}[a-z0-9]$/;

export class InvalidGatewayJobId extends Error {
  override readonly name = 'InvalidGatewayJobId';
  constructor(readonly jobId: string) {
    super(`gateway job id must be 4-60 characters of [a-z0-9-], got '${jobId}'`);
  }
}

export interface DataprocIds {
  /** `job.reference.jobId` of a cluster job (letters, digits, `_`, `-`; at most 100). */
  readonly jobId: string;
  /** `requestId` of jobs.submit and batches.create (same charset; at most 40). */
  readonly requestId: string;
  /** `batchId` of a Serverless batch (4-63 of [a-z0-9-], starting with a letter, ending with a letter or digit). */
  readonly batchId: string;
}

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * The same gateway job id always gives the same Dataproc ids, and different ids give different ones, so a retried
 * submit is recognised by Dataproc (requestId) or collides with the first job (jobId/batchId → ALREADY_EXISTS).
 */
export function deriveDataprocIds(gatewayJobId: string): DataprocIds {
  if (!GATEWAY_JOB_ID.test(gatewayJobId)) throw new InvalidGatewayJobId(gatewayJobId);
  // Too long for requestId: keep a readable prefix and make the rest a hash of the whole id.
  const requestId =
    gatewayJobId.length <= REQUEST_ID_MAX ? gatewayJobId : `${gatewayJobId.slice(0, REQUEST_ID_MAX - 17)}-${digest(gatewayJobId).slice(0, 16)}`;
  // An id that breaks the strict batch-id reading (leading digit or hyphen, trailing hyphen) becomes a hash of itself.
  const batchId = STRICT_BATCH_ID.test(gatewayJobId) ? gatewayJobId : `gw-${digest(gatewayJobId).slice(0, 32)}`;
  return { jobId: gatewayJobId, requestId, batchId };
}
