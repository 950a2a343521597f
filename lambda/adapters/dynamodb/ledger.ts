// The whole ledger on DynamoDB: conditional puts for reservation, a GSI by principal for listings, active-job slots; rows
// that exist are read and updated through DynamoJobRows (lambda/adapters/dynamodb/job-rows.ts).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, paginateQuery, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoJobRows, JOB_KEY_PREFIX, PK, SLOTS_KEY_PREFIX, strip, type Item } from './job-rows.js';
import { InvalidCursor, type ActiveSlots, type JobFilter, type JobRecord, type Ledger, type Page } from '../../core/ledger.js';
import { LEDGER_TABLE } from '../../../contract/ledger-table.js';
import { isTerminal, JOB_STATUSES, type JobStatus } from '../../../contract/job-status.js';

const SLOTS = (principalKey: string, template: string) => `${SLOTS_KEY_PREFIX}${template}#${principalKey}`;
const ACTIVE: readonly JobStatus[] = JOB_STATUSES.filter((s) => !isTerminal(s));
/** Queries one filtered page may take: bounds the read cost of a listing whose filter matches little. */
const MAX_READS = 5;

/** The whole ledger: DynamoJobRows plus reserving and discarding rows, listings by principal, and active-job slots. */
export class DynamoLedger extends DynamoJobRows implements Ledger, ActiveSlots {
  async reserve(job: JobRecord): Promise<{ created: true; job: JobRecord } | { created: false; job: JobRecord }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...job, pk: PK(job.id), pending: job.pending ?? 'RESERVED' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, job: { ...job, pending: job.pending ?? 'RESERVED' } };
    } catch (err) {
      return { created: false, job: await this.currentAfterConflict(job.id, err) };
    }
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

  async listByPrincipal(principalKey: string, options: { limit: number; cursor?: string; filter?: JobFilter }): Promise<Page<JobRecord>> {
    const { status, template, since } = options.filter ?? {};
    // `since` narrows the key range of the principal's partition (sort key createdAt); status and template filter it.
    const values: Record<string, unknown> = { ':p': principalKey, ':job': JOB_KEY_PREFIX };
    const names: Record<string, string> = {};
    let keyCondition = 'principalKey = :p';
    // The index also holds non-job rows (the revocation list): only jobs belong in a job listing.
    let filter = 'begins_with(pk, :job)';
    if (since !== undefined) {
      keyCondition += ' AND createdAt >= :since';
      values[':since'] = since;
    }
    if (status !== undefined) {
      filter += ' AND #s = :s';
      names['#s'] = 'status';
      values[':s'] = status;
    }
    if (template !== undefined) {
      filter += ' AND template = :t';
      values[':t'] = template;
    }
    // Limit counts rows read before the filter: read on (up to MAX_READS queries) until the page is full, asking each
    // query for no more than the page still needs, so the cursor is exact.
    const items: JobRecord[] = [];
    let startKey = options.cursor ? decodeCursor(options.cursor, principalKey) : undefined;
    for (let reads = 0; reads < MAX_READS && items.length < options.limit; reads++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LEDGER_TABLE.principalIndex.name,
          KeyConditionExpression: keyCondition,
          FilterExpression: filter,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: options.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => strip(i as Item)));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return { items, nextCursor: startKey ? encodeCursor(startKey) : undefined };
  }

  async listActive(principalKey: string, template?: string): Promise<JobRecord[]> {
    const values: Record<string, unknown> = { ':p': principalKey, ':job': JOB_KEY_PREFIX };
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
    k.pk.startsWith(JOB_KEY_PREFIX) &&
    typeof k.createdAt === 'string' &&
    k.principalKey === principalKey;
  if (!shapeOk) throw new InvalidCursor('cursor is not one this API issued for this listing');
  return { pk: k.pk, createdAt: k.createdAt, principalKey: k.principalKey };
}
