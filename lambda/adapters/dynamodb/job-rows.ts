// The ledger's existing job rows on DynamoDB: read one, list those still pending, record the backend's answer, update
// the status. All the reconciler does with the ledger (its role may not create or delete rows); DynamoLedger adds the rest.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BackendRef } from '../../core/backend.js';
import { InvalidCursor, type ApprovalTransition, type JobRecord, type JobRows, type Page } from '../../core/ledger.js';
import { LEDGER_TABLE } from '../../../contract/ledger-table.js';
import { isTerminal, JOB_STATUSES, type JobStatus } from '../../../contract/job-status.js';

export const { job: JOB_KEY_PREFIX, slots: SLOTS_KEY_PREFIX } = LEDGER_TABLE.keyPrefixes;
export const PK = (id: string) => `${JOB_KEY_PREFIX}${id}`;

export type Item = JobRecord & { pk: string };

export class DynamoJobRows implements JobRows {
  protected readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    protected readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async recordSubmission(
    id: string,
    ref: BackendRef,
    state: { status: JobStatus; backendStatus: string; message?: string },
    at: string,
  ): Promise<JobRecord> {
    const values: Record<string, unknown> = { ':ref': ref, ':at': at, ':s': state.status, ':bs': state.backendStatus };
    if (state.message !== undefined) values[':m'] = state.message;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK(id) },
          UpdateExpression: `SET backendRef = :ref, updatedAt = :at, #s = :s, backendStatus = :bs${state.message !== undefined ? ', message = :m' : ''} REMOVE pending`,
          // Concurrent retries all reach here with the same reference: the first records, the rest read what it recorded.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(backendRef)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip(out.Attributes as Item);
    } catch (err) {
      return this.currentAfterConflict(id, err);
    }
  }

  async updateStatus(
    id: string,
    state: { status: JobStatus; backendStatus: string; message?: string; cancelRequested?: boolean },
    at: string,
  ): Promise<JobRecord> {
    const names: Record<string, string> = { '#s': 'status' };
    const values: Record<string, unknown> = { ':s': state.status, ':bs': state.backendStatus, ':at': at };
    let set = 'SET #s = :s, backendStatus = :bs, updatedAt = :at';
    if (state.message !== undefined) {
      set += ', message = :m';
      values[':m'] = state.message;
    }
    if (state.cancelRequested !== undefined) {
      set += ', cancelRequested = :c';
      values[':c'] = state.cancelRequested;
    }
    // A finished job is no longer pending, whether or not the backend ever confirmed it.
    if (isTerminal(state.status)) set += ' REMOVE pending';
    const terminal = JOB_STATUSES.filter(isTerminal);
    terminal.forEach((s, i) => (values[`:t${i}`] = s));
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK(id) },
          UpdateExpression: set,
          // Terminal is final: a slow status refresh must not resurrect a finished job.
          ConditionExpression: `attribute_exists(pk) AND NOT (#s IN (${terminal.map((_, i) => `:t${i}`).join(', ')}))`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip(out.Attributes as Item);
    } catch (err) {
      return this.currentAfterConflict(id, err);
    }
  }

  /** A conditional write lost to the row's current state (or it does not exist): answer with that state. */
  protected async currentAfterConflict(id: string, err: unknown): Promise<JobRecord> {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const current = await this.get(id);
    if (!current) throw new Error(`ledger row ${id} does not exist`, { cause: err });
    return current;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK(id) }, ConsistentRead: true }));
    return out.Item ? strip(out.Item as Item) : undefined;
  }

  async listPending(olderThan: string, limit: number): Promise<JobRecord[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.pendingIndex.name,
        KeyConditionExpression: 'pending = :r AND createdAt < :t',
        ExpressionAttributeValues: { ':r': 'RESERVED', ':t': olderThan },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => strip(i as Item));
  }

  async transition(id: string, expected: { status: JobStatus; decisions: number }, next: ApprovalTransition, at: string): Promise<{ applied: boolean; row: JobRecord }> {
    const values: Record<string, unknown> = { ':es': expected.status, ':n': expected.decisions, ':s': next.status, ':bs': next.backendStatus, ':ap': next.approval, ':at': at };
    let set = 'SET #s = :s, backendStatus = :bs, approval = :ap, updatedAt = :at';
    if (next.message !== undefined) {
      set += ', message = :m';
      values[':m'] = next.message;
    }
    if (next.pending) {
      set += ', pending = :p';
      values[':p'] = next.pending;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK(id) },
          UpdateExpression: next.pending ? set : `${set} REMOVE pending`,
          // The row as the decider read it: same status, same number of decisions (a list only ever grows).
          ConditionExpression: 'attribute_exists(pk) AND #s = :es AND size(approval.decisions) = :n',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { applied: true, row: strip(out.Attributes as Item) };
    } catch (err) {
      return { applied: false, row: await this.currentAfterConflict(id, err) };
    }
  }

  async listByPendingState(state: 'APPROVAL' | 'APPROVED', options: { limit: number; cursor?: string }): Promise<Page<JobRecord>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.pendingIndex.name,
        KeyConditionExpression: 'pending = :p',
        ExpressionAttributeValues: { ':p': state },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodePendingCursor(options.cursor, state) : undefined,
      }),
    );
    const items = (out.Items ?? []).map((i) => strip(i as Item));
    return { items, nextCursor: out.LastEvaluatedKey ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') : undefined };
  }
}

/** Cursors come from callers: accept only the exact key shape of this listing of the pending index. */
function decodePendingCursor(cursor: string, state: string): Record<string, unknown> {
  let k: Record<string, unknown>;
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('bad characters');
    k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidCursor('cursor is not one this API issued', { cause: err });
  }
  const shapeOk =
    k !== null &&
    typeof k === 'object' &&
    !Array.isArray(k) &&
    Object.keys(k).sort().join(',') === 'createdAt,pending,pk' &&
    typeof k.pk === 'string' &&
    k.pk.startsWith(JOB_KEY_PREFIX) &&
    typeof k.createdAt === 'string' &&
    k.pending === state;
  if (!shapeOk) throw new InvalidCursor('cursor is not one this API issued for this listing');
  return { pk: k.pk, createdAt: k.createdAt, pending: k.pending };
}

export function strip(item: Item): JobRecord {
  const { pk: _pk, ...job } = item;
  return job;
}
