import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { isConditionFailed } from './dynamo-errors.ts';

/**
 * What cid last reported of one thing outside itself (a check run, a commit status, a PR
 * comment, a Slack message): the target GitHub gave it, what it showed and when, whether an
 * update is scheduled. Only app/reporters/report-once.ts reads and writes these.
 */
export const ReportStateSchema = z.object({
  id: z.string(),
  /** The check run's or comment's id (0 for targets without one: statuses, Slack messages). */
  targetId: z.number().int().optional(),
  /** ms since the epoch of the last create or update. */
  lastAt: z.number().optional(),
  /** Hash of what was last written, so an unchanged report costs no call. */
  hash: z.string().optional(),
  /** The coarse shape last written (e.g. a check's status and job count); a new shape is written at once. */
  shape: z.string().optional(),
  /** A delayed message will update it at this time (ms); no other needs scheduling before it. */
  deferredUntil: z.number().optional(),
  /** Someone is creating it until then (ms). */
  creatingUntil: z.number().optional(),
});
export type ReportState = z.infer<typeof ReportStateSchema>;

/** Records expire after this long (DynamoDB TTL; dynalite keeps them, which is harmless). */
const TTL_SECONDS = 90 * 24 * 3600;
const expiresAt = (): number => Math.floor(Date.now() / 1000) + TTL_SECONDS;
/** DynamoDB's BatchGetItem limit. */
const BATCH = 100;

/** The reports table: every write is conditional, so two consumers never report twice. */
export class ReportsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async tryUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.table, ...input }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async get(id: string): Promise<ReportState | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return out.Item ? ReportStateSchema.parse(out.Item) : undefined;
  }

  /** Several records in few calls (a pipeline's job check runs); absent ones are missing from the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, ReportState>> {
    const out = new Map<string, ReportState>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH).map((id) => ({ id }));
      while (keys && keys.length > 0) {
        const res: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of res.Responses?.[this.table] ?? []) {
          const s = ReportStateSchema.parse(item);
          out.set(s.id, s);
        }
        keys = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }

  /** Takes the right to create the target for `ms`; false when it exists or someone else is creating it. */
  claimCreate(id: string, now: number, ms: number): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET creatingUntil = :until, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(targetId) AND (attribute_not_exists(creatingUntil) OR creatingUntil < :now)',
      ExpressionAttributeValues: { ':until': now + ms, ':now': now, ':exp': expiresAt() },
    });
  }

  /** Gives the claim back (creating failed), so the next attempt need not wait for it to expire. */
  async releaseCreate(id: string): Promise<void> {
    await this.tryUpdate({ Key: { id }, UpdateExpression: 'REMOVE creatingUntil', ConditionExpression: 'attribute_not_exists(targetId)' });
  }

  async created(id: string, targetId: number, at: number, hash: string, shape?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: `SET targetId = :c, lastAt = :t, #h = :h, expiresAt = :exp${shape === undefined ? '' : ', shape = :s'} REMOVE creatingUntil`,
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':c': targetId, ':t': at, ':h': hash, ':exp': expiresAt(), ...(shape === undefined ? {} : { ':s': shape }) },
      }),
    );
  }

  /** Takes the next update: only if nobody updated since `previous` (the lastAt read). */
  claimEdit(id: string, previous: number | undefined, now: number): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET lastAt = :now, expiresAt = :exp',
      ConditionExpression: previous === undefined ? 'attribute_exists(targetId) AND attribute_not_exists(lastAt)' : 'lastAt = :prev',
      ExpressionAttributeValues: { ':now': now, ':exp': expiresAt(), ...(previous === undefined ? {} : { ':prev': previous }) },
    });
  }

  /** Records what an update wrote. Never creates a record: one lost meanwhile stays lost, not half-made. */
  async edited(id: string, hash: string, shape?: string): Promise<void> {
    await this.tryUpdate({
      Key: { id },
      UpdateExpression: `SET #h = :h${shape === undefined ? '' : ', shape = :s'}`,
      ConditionExpression: 'attribute_exists(targetId)',
      ExpressionAttributeNames: { '#h': 'hash' },
      ExpressionAttributeValues: { ':h': hash, ...(shape === undefined ? {} : { ':s': shape }) },
    });
  }

  /** Schedules the deferred update at `due` unless one is already pending; true when the caller must send it. */
  scheduleDeferred(id: string, due: number, now: number): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET deferredUntil = :due, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(deferredUntil) OR deferredUntil < :now',
      ExpressionAttributeValues: { ':due': due, ':now': now, ':exp': expiresAt() },
    });
  }
}
