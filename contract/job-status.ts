// Our normalized job status; `backendStatus` keeps the backend's own words. The state model: docs/approvals.md.
export const JOB_STATUSES = ['AWAITING_APPROVAL', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED', 'REJECTED', 'EXPIRED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Ends of a job: the backend's three, and the two an approval can end in before anything reached a backend. */
const TERMINAL: ReadonlySet<JobStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'REJECTED', 'EXPIRED']);
export const isTerminal = (s: JobStatus): boolean => TERMINAL.has(s);
