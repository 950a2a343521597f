// Is a principal revoked? One consistent GetItem on the ledger table: all the authorizer, the catalog and the jobs
// function need of revocations (lambda/adapters/dynamodb/revocations.ts writes them), so their roles may only read.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TABLE } from '../../../contract/ledger-table.js';
import { revocationId } from '../../core/revocations.js';

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
