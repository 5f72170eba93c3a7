import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { PoolSchema, RunnerIdSchema } from '../../lib/contract/index.ts';
import { isConditionFailed, nowIso, unlessConditionFails } from './dynamo-errors.ts';

/** A registered runner (runner API): who it is, its current registration, whether it is revoked. */
export const RunnerRecordSchema = z.object({
  id: RunnerIdSchema,
  pool: PoolSchema,
  host: z.string(),
  version: z.string(),
  concurrency: z.number().int().positive(),
  /** The process registered last; credentials of earlier registrations no longer hold. */
  registrationId: z.string().min(1),
  registeredAt: z.string(),
  /** Updated at most once a minute (LAST_SEEN_EVERY_MS), to keep writes cheap. */
  lastSeenAt: z.string(),
  revokedAt: z.string().optional(),
});
export type RunnerRecord = z.infer<typeof RunnerRecordSchema>;

export const LAST_SEEN_EVERY_MS = 60_000;

export class RunnerRevokedError extends Error {}

export class RunnersStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Records a (new) registration of a runner, replacing the previous one; a revoked runner id stays
   * revoked (RunnerRevokedError).
   */
  async register(r: Omit<RunnerRecord, 'registeredAt' | 'lastSeenAt' | 'revokedAt'>): Promise<RunnerRecord> {
    const now = nowIso();
    const record = RunnerRecordSchema.parse({ ...r, registeredAt: now, lastSeenAt: now });
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: record, ConditionExpression: 'attribute_not_exists(revokedAt)' }));
    } catch (err) {
      if (isConditionFailed(err)) throw new RunnerRevokedError(`runner ${r.id} is revoked`);
      throw err;
    }
    return record;
  }

  async get(id: string): Promise<RunnerRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return out.Item ? RunnerRecordSchema.parse(out.Item) : undefined;
  }

  /** Marks the runner seen now, if it was last seen over a minute ago (one write a minute at most). */
  async touch(id: string, registrationId: string): Promise<void> {
    const now = Date.now();
    await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET lastSeenAt = :now',
          ConditionExpression: 'registrationId = :reg AND lastSeenAt < :before',
          ExpressionAttributeValues: { ':now': new Date(now).toISOString(), ':reg': registrationId, ':before': new Date(now - LAST_SEEN_EVERY_MS).toISOString() },
        }),
      ),
    );
  }

  /** Revokes the runner: none of its credentials holds any more. Undefined for an unknown runner. */
  async revoke(id: string): Promise<RunnerRecord | undefined> {
    const out = await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':now': nowIso() },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? RunnerRecordSchema.parse(out.Attributes) : undefined;
  }

  /** Every registered runner (a fleet is small: a scan, page by page). */
  async list(): Promise<RunnerRecord[]> {
    const runners: RunnerRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new ScanCommand({ TableName: this.table, ExclusiveStartKey: start }));
      runners.push(...(out.Items ?? []).map((i) => RunnerRecordSchema.parse(i)));
      start = out.LastEvaluatedKey;
    } while (start);
    return runners.sort((a, b) => a.id.localeCompare(b.id));
  }
}
