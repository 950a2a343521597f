// The ledger table's shape: read by the CDK ledger construct, the DynamoDB ledger and local mode's table setup.
export const LEDGER_TABLE = {
  partitionKey: 'pk',
  /** GSI listing one principal's jobs newest first. */
  principalIndex: { name: 'byPrincipal', partitionKey: 'principalKey', sortKey: 'createdAt' },
  /** Sparse GSI of rows reserved but not yet confirmed by the backend, for the reconciler. */
  pendingIndex: { name: 'pending', partitionKey: 'pending', sortKey: 'createdAt' },
  ttlAttribute: 'expiresAt',
  /** Partition-key prefixes of the rows: jobs, active-job slots, revocations. The IAM grants name them (dynamodb:LeadingKeys). */
  keyPrefixes: { job: 'JOB#', slots: 'ACTIVE#', revocation: 'REVOCATION#' },
} as const;
