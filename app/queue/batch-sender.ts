import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

interface Pending {
  body: string;
  delaySeconds: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** SQS's limits on one SendMessageBatch: 10 entries, 256 KiB of bodies in all (as for one message). */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;

/** Splits messages, in order, into batches within both limits; a message alone is never split. */
export function batchesOf<T extends { body: string }>(list: T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const p of list) {
    const size = Buffer.byteLength(p.body);
    if (cur.length > 0 && (cur.length >= MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(p);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Coalesces SendMessage calls into SendMessageBatch (within SQS's count and size limits). Each
 * caller's promise settles when its own message is accepted or refused, so nothing is
 * acknowledged before SQS has it. Under load this cuts SQS requests several-fold; alone, a
 * message waits at most `lingerMs`.
 */
export class BatchSender {
  private readonly pending = new Map<string, Pending[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly lingerMs = 3,
  ) {}

  send(queueUrl: string, body: string, delaySeconds = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const list = this.pending.get(queueUrl) ?? [];
      list.push({ body, delaySeconds, resolve, reject });
      this.pending.set(queueUrl, list);
      if (list.length >= MAX_BATCH_ENTRIES) this.flushQueue(queueUrl);
      else this.timer ??= setTimeout(() => this.flushAll(), this.lingerMs);
    });
  }

  private flushAll(): void {
    this.timer = undefined;
    for (const url of [...this.pending.keys()]) this.flushQueue(url);
  }

  private flushQueue(url: string): void {
    const list = this.pending.get(url);
    if (!list || list.length === 0) return;
    this.pending.delete(url);
    // A batch over 256 KiB in all is refused whole (BatchRequestTooLong), even when each message fits.
    for (const batch of batchesOf(list)) void this.sendBatch(url, batch);
  }

  private async sendBatch(url: string, batch: Pending[]): Promise<void> {
    try {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((p, i) => ({ Id: String(i), MessageBody: p.body, ...(p.delaySeconds ? { DelaySeconds: p.delaySeconds } : {}) })),
        }),
      );
      const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f.Message ?? f.Code ?? 'refused']));
      batch.forEach((p, i) => {
        const why = failed.get(String(i));
        if (why) p.reject(new Error(`SQS refused a message: ${why}`));
        else p.resolve();
      });
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }
}
