// Ledger on DynamoDB: conditional puts for reservation, a GSI by principal for listing, a sparse GSI for pending rows.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, paginateQuery, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BackendRef } from './backend.js';
import { InvalidCursor, type ActiveSlots, type JobRecord, type Ledger, type Page } from './ledger.js';
import { LEDGER_TABLE } from './ledger-schema.js';
import { isTerminal, JOB_STATUSES, type JobStatus } from './status.js';

const PK = (id: string) => `JOB#${id}`;
const SLOTS = (principalKey: string, template: string) => `ACTIVE#${template}#${principalKey}`;
const ACTIVE: readonly JobStatus[] = JOB_STATUSES.filter((s) => !isTerminal(s));

type Item = JobRecord & { pk: string };

export class DynamoLedger implements Ledger, ActiveSlots {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async reserve(job: JobRecord): Promise<{ created: true; job: JobRecord } | { created: false; job: JobRecord }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...job, pk: PK(job.id), pending: 'RESERVED' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, job: { ...job, pending: 'RESERVED' } };
    } catch (err) {
      return { created: false, job: await this.currentAfterConflict(job.id, err) };
    }
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
  private async currentAfterConflict(id: string, err: unknown): Promise<JobRecord> {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const current = await this.get(id);
    if (!current) throw new Error(`ledger row ${id} does not exist`, { cause: err });
    return current;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK(id) }, ConsistentRead: true }));
    return out.Item ? strip(out.Item as Item) : undefined;
  }

  async discard(id: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: PK(id) },
          ConditionExpression: 'pending = :r AND attribute_not_exists(backendRef)',
          ExpressionAttributeValues: { ':r': 'RESERVED' },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async listByPrincipal(principalKey: string, options: { limit: number; cursor?: string }): Promise<Page<JobRecord>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.principalIndex.name,
        KeyConditionExpression: 'principalKey = :p',
        // The index also holds non-job rows (the revocation list): only jobs belong in a job listing.
        FilterExpression: 'begins_with(pk, :job)',
        ExpressionAttributeValues: { ':p': principalKey, ':job': 'JOB#' },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, principalKey) : undefined,
      }),
    );
    const items = (out.Items ?? []).map((i) => strip(i as Item));
    return { items, nextCursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : undefined };
  }

  async listActive(principalKey: string, template?: string): Promise<JobRecord[]> {
    const values: Record<string, unknown> = { ':p': principalKey, ':job': 'JOB#' };
    ACTIVE.forEach((s, i) => (values[`:a${i}`] = s));
    let filter = `begins_with(pk, :job) AND #s IN (${ACTIVE.map((_, i) => `:a${i}`).join(', ')})`;
    if (template) {
      filter += ' AND template = :t';
      values[':t'] = template;
    }
    const items: JobRecord[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.principalIndex.name,
        KeyConditionExpression: 'principalKey = :p',
        FilterExpression: filter,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: values,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []).map((i) => strip(i as Item)));
    return items;
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

  async claim(principalKey: string, template: string, jobId: string, max: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: SLOTS(principalKey, template) },
          UpdateExpression: 'ADD jobs :id',
          ConditionExpression: 'attribute_not_exists(jobs) OR contains(jobs, :one) OR size(jobs) < :max',
          ExpressionAttributeValues: { ':id': new Set([jobId]), ':one': jobId, ':max': max },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async release(principalKey: string, template: string, jobId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: SLOTS(principalKey, template) },
          UpdateExpression: 'DELETE jobs :id',
          // Never create an empty slot row just to release from it.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':id': new Set([jobId]) },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async holders(principalKey: string, template: string): Promise<string[]> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: SLOTS(principalKey, template) }, ConsistentRead: true }));
    const jobs = out.Item?.jobs as Set<string> | undefined;
    return jobs ? [...jobs] : [];
  }
}

function strip(item: Item): JobRecord {
  const { pk: _pk, ...job } = item;
  return job;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Cursors come from callers: accept only the exact key shape of this principal's listing. */
function decodeCursor(cursor: string, principalKey: string): Record<string, unknown> {
  let key: unknown;
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('bad characters');
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new InvalidCursor('cursor is not one this API issued', { cause: err });
  }
  const k = key as Record<string, unknown>;
  const shapeOk =
    k !== null &&
    typeof k === 'object' &&
    !Array.isArray(k) &&
    Object.keys(k).sort().join(',') === 'createdAt,pk,principalKey' &&
    typeof k.pk === 'string' &&
    k.pk.startsWith('JOB#') &&
    typeof k.createdAt === 'string' &&
    k.principalKey === principalKey;
  if (!shapeOk) throw new InvalidCursor('cursor is not one this API issued for this listing');
  return { pk: k.pk, createdAt: k.createdAt, principalKey: k.principalKey };
}
