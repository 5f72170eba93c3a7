import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TABLES, QUEUES, dlqKey, queueName, tableName, type Projection, type TableDef } from '../../lib/resources/index.ts';

/** The index's projection as DynamoDB (and dynalite) take it. */
export function projectionOf(p: Projection): { ProjectionType: 'KEYS_ONLY' } | { ProjectionType: 'INCLUDE'; NonKeyAttributes: string[] } {
  return p.type === 'KEYS_ONLY' ? { ProjectionType: 'KEYS_ONLY' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...p.attributes] };
}

function attributeDefinitions(t: TableDef) {
  const attrs = new Map<string, 'S' | 'N'>();
  for (const k of [t.hash, t.range, ...t.indexes.flatMap((i) => [i.hash, i.range])]) if (k) attrs.set(k.name, k.type);
  return [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

/**
 * Creates every table from lib/resources, skipping those that exist (a restarted local stack).
 * dynalite has no TTL, so the tables' TTL attribute is not declared here: nothing expires locally.
 */
export async function createTables(db: DynamoDBClient, prefix: string): Promise<void> {
  for (const t of TABLES) {
    const TableName = tableName(prefix, t.key);
    try {
      await db.send(new DescribeTableCommand({ TableName }));
      continue;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
    await db.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(t),
        KeySchema: [
          { AttributeName: t.hash.name, KeyType: 'HASH' },
          ...(t.range ? [{ AttributeName: t.range.name, KeyType: 'RANGE' as const }] : []),
        ],
        GlobalSecondaryIndexes: t.indexes.length
          ? t.indexes.map((i) => ({
              IndexName: i.name,
              KeySchema: [
                { AttributeName: i.hash.name, KeyType: 'HASH' as const },
                ...(i.range ? [{ AttributeName: i.range.name, KeyType: 'RANGE' as const }] : []),
              ],
              Projection: projectionOf(i.projection),
            }))
          : undefined,
      }),
    );
    // dynalite creates tables asynchronously, like DynamoDB.
    for (let i = 0; i < 200; i++) {
      const d = await db.send(new DescribeTableCommand({ TableName }));
      const indexesActive = (d.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
      if (d.Table?.TableStatus === 'ACTIVE' && indexesActive) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Creates every queue and its dead-letter queue from lib/resources. */
export async function createQueues(sqs: SQSClient, prefix: string): Promise<void> {
  for (const q of QUEUES) {
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: queueName(prefix, dlqKey(q.key)), Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) } }),
    );
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
    await sqs.send(
      new CreateQueueCommand({
        QueueName: queueName(prefix, q.key),
        Attributes: {
          VisibilityTimeout: String(q.visibilityTimeout),
          MessageRetentionPeriod: String(q.retentionSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: attrs.Attributes?.QueueArn, maxReceiveCount: q.maxReceiveCount }),
        },
      }),
    );
  }
}
