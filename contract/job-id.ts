// The format of our job ids: `job-` and 26 characters of lowercase RFC 4648 base32 (130 bits). Valid as a Dataproc job,
// batch and request id and as a Databricks idempotency token, so every backend's de-duplication can derive from it.
export const JOB_ID_PREFIX = 'job-';
export const JOB_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const JOB_ID_LENGTH = 26;
export const JOB_ID_PATTERN = `^${JOB_ID_PREFIX}[a-z2-7]{${JOB_ID_LENGTH}}$`;

const JOB_ID = new RegExp(JOB_ID_PATTERN);

export const isJobId = (value: string): boolean => JOB_ID.test(value);
