import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './dynamo-errors.ts';
import { LogChunkSchema, type LogChunk } from '../../lib/contract/index.ts';
import { expiresAt } from './retention.ts';

const StoredChunkSchema = LogChunkSchema.omit({ jobId: true });
export type StoredLogChunk = Omit<LogChunk, 'jobId'>;

// Items are capped at 64 KiB of text, well under DynamoDB's 400 KB item limit.
import { MAX_LOG_CHUNK_BYTES } from '../../lib/contract/index.ts';
export { MAX_LOG_CHUNK_BYTES, logIdFor } from '../../lib/contract/index.ts';

export class LogsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** Chunks expire (DynamoDB TTL on `expiresAt`) this long after they were written. */
    private readonly retentionDays: number,
  ) {}

  async append(logId: string, seq: number, text: string): Promise<void> {
    if (Buffer.byteLength(text) > MAX_LOG_CHUNK_BYTES) throw new RangeError(`log chunk over ${MAX_LOG_CHUNK_BYTES} bytes`);
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { logId, seq, text, at: new Date().toISOString(), expiresAt: expiresAt(this.retentionDays) },
        ConditionExpression: 'attribute_not_exists(seq)',
      }),
    );
  }

  /**
   * Idempotent append (runner API): a chunk already stored with the same text is `same`, with
   * other text `conflict`; nothing is ever overwritten.
   */
  async appendOnce(logId: string, seq: number, text: string): Promise<'stored' | 'same' | 'conflict'> {
    try {
      await this.append(logId, seq, text);
      return 'stored';
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { logId, seq }, ConsistentRead: true }));
    return out.Item?.text === text ? 'same' : 'conflict';
  }

  /**
   * Chunks from `fromSeq` on, a page at a time, so a reader never holds a whole log. Only the
   * contiguous run: a runner has two log requests in flight, so chunk n + 16 may be stored before
   * chunk n; a reader stops at the gap and, coming back from its next seq, misses nothing.
   */
  async *read(logId: string, fromSeq = 0, pageSize = 50): AsyncGenerator<StoredLogChunk> {
    let expected = fromSeq;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'logId = :l AND seq >= :s',
          ExpressionAttributeValues: { ':l': logId, ':s': fromSeq },
          ExclusiveStartKey: start,
          Limit: pageSize,
        }),
      );
      for (const item of out.Items ?? []) {
        const chunk = StoredChunkSchema.parse(item);
        if (chunk.seq !== expected) return;
        expected++;
        yield chunk;
      }
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /**
   * The last `maxChars` characters of a log, read newest chunk first, so the read is bounded
   * by the tail's size, never the log's (a chunk holds at most 64 KiB).
   */
  async tail(logId: string, maxChars: number): Promise<string> {
    const parts: string[] = [];
    let size = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'logId = :l',
          ExpressionAttributeValues: { ':l': logId },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: 2,
        }),
      );
      for (const item of out.Items ?? []) {
        const text = StoredChunkSchema.parse(item).text;
        parts.unshift(text);
        size += text.length;
        if (size >= maxChars) break;
      }
      start = out.LastEvaluatedKey;
    } while (start && size < maxChars);
    const all = parts.join('');
    return all.length > maxChars ? all.slice(all.length - maxChars) : all;
  }
}
