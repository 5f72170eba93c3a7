import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { isConditionFailed } from './dynamo-errors.ts';

/** A PR's status comment: which comment, when it was last edited, whether an edit is scheduled. */
export const CommentStateSchema = z.object({
  id: z.string(),
  commentId: z.number().int().optional(),
  /** ms since the epoch. */
  lastEditAt: z.number().optional(),
  /** A delayed message will edit the comment at this time (ms); no other needs scheduling before it. */
  deferredUntil: z.number().optional(),
  /** Hash of the body last written, so an unchanged body costs no GitHub call. */
  bodyHash: z.string().optional(),
  /** Someone is creating the comment until then (ms). */
  creatingUntil: z.number().optional(),
});
export type CommentState = z.infer<typeof CommentStateSchema>;

/** Records expire after this long (DynamoDB TTL; dynalite keeps them, which is harmless). */
const TTL_SECONDS = 90 * 24 * 3600;
const expiresAt = (): number => Math.floor(Date.now() / 1000) + TTL_SECONDS;

/**
 * What cid last reported outside itself: every write is conditional, so two consumers never
 * report twice. Keys: "comment#<repo>#<pr>", "status#<repo>@<sha>#<context>", "once#<key>".
 */
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

  async comment(id: string): Promise<CommentState | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return out.Item ? CommentStateSchema.parse(out.Item) : undefined;
  }

  /** Takes the right to create the comment for `ms`; false when it exists or someone else is creating it. */
  claimCreate(id: string, now: number, ms: number): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET creatingUntil = :until, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(commentId) AND (attribute_not_exists(creatingUntil) OR creatingUntil < :now)',
      ExpressionAttributeValues: { ':until': now + ms, ':now': now, ':exp': expiresAt() },
    });
  }

  async created(id: string, commentId: number, at: number, bodyHash: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: 'SET commentId = :c, lastEditAt = :t, bodyHash = :h, expiresAt = :exp REMOVE creatingUntil',
        ExpressionAttributeValues: { ':c': commentId, ':t': at, ':h': bodyHash, ':exp': expiresAt() },
      }),
    );
  }

  /** Takes the next edit: only if nobody edited since `previous` (the lastEditAt read). */
  claimEdit(id: string, previous: number | undefined, now: number): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET lastEditAt = :now, expiresAt = :exp',
      ConditionExpression: previous === undefined ? 'attribute_not_exists(lastEditAt)' : 'lastEditAt = :prev',
      ExpressionAttributeValues: { ':now': now, ':exp': expiresAt(), ...(previous === undefined ? {} : { ':prev': previous }) },
    });
  }

  /** Records the body an edit wrote. Never creates a record: one lost meanwhile stays lost, not half-made. */
  async edited(id: string, bodyHash: string): Promise<void> {
    await this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET bodyHash = :h',
      ConditionExpression: 'attribute_exists(commentId)',
      ExpressionAttributeValues: { ':h': bodyHash },
    });
  }

  /** Schedules the deferred edit at `due` unless one is already pending; true when the caller must send it. */
  scheduleDeferred(id: string, due: number, now: number): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET deferredUntil = :due',
      ConditionExpression: 'attribute_not_exists(deferredUntil) OR deferredUntil < :now',
      ExpressionAttributeValues: { ':due': due, ':now': now },
    });
  }

  /** Sets a value (a commit status as sent) unless it is already the same; true when it changed. */
  setIfChanged(id: string, value: string): Promise<boolean> {
    return this.tryUpdate({
      Key: { id },
      UpdateExpression: 'SET #v = :v, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(#v) OR #v <> :v',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':v': value, ':exp': expiresAt() },
    });
  }

  /** Forgets a value set with setIfChanged (its report failed and must be sent again). */
  async clearValue(id: string, value: string): Promise<void> {
    await this.tryUpdate({
      Key: { id },
      UpdateExpression: 'REMOVE #v',
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':v': value },
    });
  }

  /** True the first time it is called for `id`, false ever after. */
  async once(id: string): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { id, at: Date.now(), expiresAt: expiresAt() }, ConditionExpression: 'attribute_not_exists(id)' }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}
