import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { PipelineSchema, pipelineId, ShaSchema, type Pipeline, type PipelineStatus } from '../../lib/contract/index.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';
import { isConditionFailed, nowIso, unlessConditionFails } from './dynamo-errors.ts';
import { batchGetInOrder } from './batch-get.ts';
import { expiresAt } from './retention.ts';

/** DynamoDB returns string sets as Set objects; the contract speaks arrays. */
function fromItem(item: Record<string, unknown>): Pipeline {
  const refs = item.refs instanceof Set ? [...(item.refs as Set<string>)].sort() : (item.refs ?? []);
  return PipelineSchema.parse({ ...item, refs });
}

export interface NewPipeline {
  repo: string;
  sha: string;
  ref: string;
  installationId?: number;
}

export class PipelinesStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** Pipelines expire (DynamoDB TTL on `expiresAt`) this long after they were created. */
    private readonly retentionDays: number,
  ) {}

  /** The by-repo index projects only what its filters read: the pipelines are read whole after. */
  private async whole(items: Record<string, unknown>[]): Promise<Pipeline[]> {
    return (await batchGetInOrder(this.db, this.table, items, ['id'])).map(fromItem);
  }

  /**
   * One pipeline per repo+commit: the first caller creates it, later ones (a redelivery, the PR
   * event for a pushed commit) only add their ref. Single-item conditional writes, no transactions.
   */
  async ensure(p: NewPipeline): Promise<{ pipeline: Pipeline; created: boolean }> {
    const id = pipelineId(p.repo, p.sha);
    const now = nowIso();
    const item = {
      id,
      repo: p.repo,
      sha: p.sha,
      refs: new Set([p.ref]),
      // Every ref that ever pointed here (refs loses them as they move on), for per-ref history.
      seenRefs: new Set([p.ref]),
      installationId: p.installationId,
      status: 'pending' as PipelineStatus,
      dropped: [],
      createdAt: now,
      updatedAt: now,
      expiresAt: expiresAt(this.retentionDays),
    };
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
      return { pipeline: fromItem(item), created: true };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const pipeline = await this.addRef(id, p.ref);
    return { pipeline, created: false };
  }

  async get(id: string): Promise<Pipeline | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async addRef(id: string, ref: string): Promise<Pipeline> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: 'ADD refs :r, seenRefs :r SET updatedAt = :u',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':r': new Set([ref]), ':u': nowIso() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromItem(out.Attributes ?? {});
  }

  /** Removes a ref; returns the refs still pointing at the commit. */
  async removeRef(id: string, ref: string): Promise<string[]> {
    const out = await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'DELETE refs :r SET updatedAt = :u',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':r': new Set([ref]), ':u': nowIso() },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out ? fromItem(out.Attributes ?? {}).refs : [];
  }

  async update(id: string, fields: Partial<Pick<Pipeline, 'status' | 'error' | 'planned' | 'dropped' | 'roots' | 'pinned'>>): Promise<void> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':u': nowIso() };
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: `SET ${[...sets, 'updatedAt = :u'].join(', ')}`,
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: entries.length ? names : undefined,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * A short lease so that only one worker advances and reports a pipeline at a time (SQS and
   * Lambda may run several consumers). Returns a release function, or undefined if it is held.
   */
  async acquireSyncLease(id: string, holder: string, ms: number): Promise<(() => Promise<void>) | undefined> {
    const now = Date.now();
    const held = await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET syncLeaseUntil = :until, syncLeaseHolder = :h',
          ConditionExpression: 'attribute_exists(id) AND (attribute_not_exists(syncLeaseUntil) OR syncLeaseUntil < :now)',
          ExpressionAttributeValues: { ':until': now + ms, ':now': now, ':h': holder },
        }),
      ),
    );
    if (!held) return undefined;
    return async () => {
      // Only our own lease is removed; one that expired and went to another holder stays.
      await unlessConditionFails(
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { id },
            UpdateExpression: 'REMOVE syncLeaseUntil, syncLeaseHolder',
            ConditionExpression: 'syncLeaseHolder = :h',
            ExpressionAttributeValues: { ':h': holder },
          }),
        ),
      );
    };
  }

  async listByRepo(repo: string, limit = 50): Promise<Pipeline[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'by-repo',
        KeyConditionExpression: 'repo = :r',
        ExpressionAttributeValues: { ':r': repo },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return this.whole(out.Items ?? []);
  }

  /**
   * Pipelines a ref ever pointed at, newest first: a filtered query on the by-repo index. Reads
   * at most `maxRead` items per call, so a page may hold fewer than `limit`; follow the cursor.
   */
  async listByRef(repo: string, ref: string, opts: { limit: number; cursor?: string; maxRead?: number }): Promise<{ items: Pipeline[]; cursor?: string }> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined = decodeCursor(opts.cursor, historyKey(repo));
    let read = 0;
    const maxRead = opts.maxRead ?? 2000;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'by-repo',
          KeyConditionExpression: 'repo = :r',
          // Pipelines from before seenRefs existed still match on their current refs.
          FilterExpression: 'contains(seenRefs, :ref) OR contains(refs, :ref)',
          ExpressionAttributeValues: { ':r': repo, ':ref': ref },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: Math.min(200, Math.max(opts.limit, 25)),
        }),
      );
      read += out.ScannedCount ?? 0;
      for (const item of out.Items ?? []) {
        items.push(item);
        if (items.length === opts.limit) return { items: await this.whole(items), ...cursorOf(keyOf(item)) };
      }
      start = out.LastEvaluatedKey;
    } while (start && read < maxRead);
    return { items: await this.whole(items), ...cursorOf(start) };
  }

  /** Pipelines of a repository whose commit starts with `prefix` (at most `limit`, newest first). */
  async findByShaPrefix(repo: string, prefix: string, limit = 2): Promise<Pipeline[]> {
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'by-repo',
          KeyConditionExpression: 'repo = :r',
          FilterExpression: 'begins_with(sha, :p)',
          ExpressionAttributeValues: { ':r': repo, ':p': prefix },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && found.length < limit);
    return this.whole(found.slice(0, limit));
  }
}

const keyOf = (item: Record<string, unknown>): Record<string, unknown> => ({ id: item.id, repo: item.repo, createdAt: item.createdAt });
const cursorOf = (key: Record<string, unknown> | undefined): { cursor?: string } => {
  const cursor = encodeCursor(key);
  return cursor ? { cursor } : {};
};

/** The by-repo index's key, as a history cursor holds it, for the repository asked about. */
const historyKey = (repo: string) =>
  z.strictObject({
    id: z.string().refine((id) => id.startsWith(`${repo}@`) && ShaSchema.safeParse(id.slice(repo.length + 1)).success, 'a pipeline of this repository'),
    repo: z.literal(repo),
    createdAt: z.iso.datetime(),
  });
