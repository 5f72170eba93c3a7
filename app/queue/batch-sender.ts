import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

interface Pending {
  body: string;
  delaySeconds: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Coalesces SendMessage calls into SendMessageBatch (up to 10 per request, as SQS allows). Each
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
      if (list.length >= 10) this.flushQueue(queueUrl);
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
    for (let i = 0; i < list.length; i += 10) void this.sendBatch(url, list.slice(i, i + 10));
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
