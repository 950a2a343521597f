// Revocations in the ledger table (lambda/adapters/dynamodb/revocations.ts says what they are).
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TABLE } from '../../../contract/ledger-table.js';
import type { Revocation, RevocationStore } from '../../core/revocations.js';
import { DynamoRevocationCheck, revocationRowKey } from './revocation-check.js';

// Revocations share the ledger table: rows `REVOCATION#<id>`, listed through the principal index under a key no token can produce.
const LIST_KEY = 'REVOCATIONS';
const PK = revocationRowKey;

export class DynamoRevocationStore implements RevocationStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly check: DynamoRevocationCheck;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.check = new DynamoRevocationCheck(client, tableName);
  }

  isRevoked(issuer: string, subject: string): Promise<boolean> {
    return this.check.isRevoked(issuer, subject);
  }

  async add(r: Revocation): Promise<{ created: boolean; revocation: Revocation }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...r, pk: PK(r.id), [LEDGER_TABLE.principalIndex.partitionKey]: LIST_KEY, [LEDGER_TABLE.principalIndex.sortKey]: r.revokedAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, revocation: r };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.get(r.id);
      return { created: false, revocation: existing ?? r };
    }
  }

  async setCancelledJobs(id: string, jobIds: readonly string[]): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: PK(id) },
        UpdateExpression: 'SET cancelledJobs = :j',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':j': jobIds },
      }),
    ).catch((err: unknown) => {
      // Lifted meanwhile: nothing to record.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    });
  }

  async list(): Promise<Revocation[]> {
    const items: Revocation[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.principalIndex.name,
        KeyConditionExpression: `${LEDGER_TABLE.principalIndex.partitionKey} = :k`,
        ExpressionAttributeValues: { ':k': LIST_KEY },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []).map(toRevocation));
    return items;
  }

  async remove(id: string): Promise<Revocation | undefined> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: PK(id) }, ReturnValues: 'ALL_OLD' }));
    return out.Attributes ? toRevocation(out.Attributes) : undefined;
  }

  private async get(id: string): Promise<Revocation | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK(id) }, ConsistentRead: true }));
    return out.Item ? toRevocation(out.Item) : undefined;
  }
}

function toRevocation(item: Record<string, unknown>): Revocation {
  const { id, issuer, subject, reason, revokedBy, revokedAt, cancelledJobs } = item as unknown as Revocation;
  return { id, issuer, subject, reason, revokedBy, revokedAt, cancelledJobs: cancelledJobs ?? [] };
}
