import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './dynamo-errors.ts';

/**
 * Remembers webhook deliveries for a day, so the same delivery twice acts once. dynalite has no
 * TTL, so an expired record counts as absent here and is simply overwritten.
 */
export class DeliveriesStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlSeconds = 24 * 3600,
  ) {}

  /** True when this call is the first to see the delivery (or the earlier record expired). */
  async begin(id: string, event: string): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { id, event, expiresAt: now + this.ttlSeconds },
          ConditionExpression: 'attribute_not_exists(id) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Forgets a delivery whose handling failed, so GitHub's manual redelivery is processed. */
  async forget(id: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { id } }));
  }
}
