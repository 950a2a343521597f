// Is a principal revoked? One consistent GetItem on the ledger table: all the authorizer, the catalog and the jobs
// function need of revocations (lambda/core/revocations.ts writes them), so their roles may only read.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { LEDGER_TABLE } from './ledger-schema.js';
import { principalKey } from './principal.js';

/** Revocation ids are derived from the principal, so the same principal always has the same id. */
export const revocationId = (issuer: string, subject: string) =>
  `rev-${createHash('sha256').update(principalKey({ issuer, subject })).digest('hex').slice(0, 24)}`;

/** The ledger key of a revocation row, under the partition-key prefix the IAM grants name. */
export const revocationRowKey = (id: string) => `${LEDGER_TABLE.keyPrefixes.revocation}${id}`;

export class DynamoRevocationCheck {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async isRevoked(issuer: string, subject: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: revocationRowKey(revocationId(issuer, subject)) }, ConsistentRead: true, ProjectionExpression: 'pk' }),
    );
    return out.Item !== undefined;
  }
}

/**
 * A revocation check remembered for `ttlMs` per principal: for the authorizer, whose answer API Gateway caches for
 * minutes anyway. The functions behind it check with a consistent read on every request, so a revocation still takes
 * effect on the next request whatever this remembers.
 */
export function rememberedRevocationCheck(
  isRevoked: (issuer: string, subject: string) => Promise<boolean>,
  ttlMs: number,
  now: () => number = Date.now,
  maxEntries = 10_000,
): (issuer: string, subject: string) => Promise<boolean> {
  const seen = new Map<string, { revoked: boolean; until: number }>();
  return async (issuer, subject) => {
    const key = principalKey({ issuer, subject });
    const hit = seen.get(key);
    if (hit && hit.until > now()) return hit.revoked;
    const revoked = await isRevoked(issuer, subject);
    if (seen.size >= maxEntries) seen.clear();
    seen.set(key, { revoked, until: now() + ttlMs });
    return revoked;
  };
}
