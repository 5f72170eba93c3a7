import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  ResultMessageSchema,
  WebhookEventMessageSchema,
  type Job,
  type JobMessage,
  type Pool,
  type Priority,
  type ResultMessage,
  type WebhookEventMessage,
} from '../../lib/contract/index.ts';
import { QUEUES, RESULTS_QUEUE_KEY, EVENTS_QUEUE_KEY, dlqKey, jobQueueKey, queueName } from '../../lib/resources/index.ts';
import { BatchSender } from './batch-sender.ts';
import { decodeMessage, encodeMessageBody, type Received, type Rejected } from '../../lib/queue/index.ts';

/** cid's SQS queues by logical key; URLs are looked up once by name. */
export class Queues {
  private readonly batcher: BatchSender;

  private constructor(
    readonly sqs: SQSClient,
    private readonly urls: Map<string, string>,
  ) {
    this.batcher = new BatchSender(sqs);
  }

  static async connect(sqs: SQSClient, prefix: string): Promise<Queues> {
    const keys = QUEUES.flatMap((q) => [q.key, dlqKey(q.key)]);
    const urls = new Map<string, string>();
    await Promise.all(
      keys.map(async (key) => {
        const out = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName(prefix, key) }));
        if (!out.QueueUrl) throw new Error(`queue ${queueName(prefix, key)} has no URL`);
        urls.set(key, out.QueueUrl);
      }),
    );
    return new Queues(sqs, urls);
  }

  url(key: string): string {
    const u = this.urls.get(key);
    if (!u) throw new Error(`unknown queue ${key}`);
    return u;
  }

  jobQueueUrl(pool: Pool, priority: Priority): string {
    return this.url(jobQueueKey(pool, priority));
  }

  async sendJob(job: Pick<Job, 'id' | 'pool' | 'priority' | 'generation'>): Promise<void> {
    const body: JobMessage = { jobId: job.id, generation: job.generation };
    await this.batcher.send(this.jobQueueUrl(job.pool, job.priority), encodeMessageBody(body));
  }

  /** Sends many jobs, ten per request as SQS allows, grouped by queue. */
  async sendJobs(jobs: Pick<Job, 'id' | 'pool' | 'priority' | 'generation'>[]): Promise<void> {
    const byQueue = new Map<string, JobMessage[]>();
    for (const j of jobs) {
      const url = this.jobQueueUrl(j.pool, j.priority);
      byQueue.set(url, [...(byQueue.get(url) ?? []), { jobId: j.id, generation: j.generation }]);
    }
    for (const [url, msgs] of byQueue) {
      for (let i = 0; i < msgs.length; i += 10) {
        const batch = msgs.slice(i, i + 10);
        const out = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map((m, k) => ({ Id: String(k), MessageBody: encodeMessageBody(m) })),
          }),
        );
        if (out.Failed && out.Failed.length > 0) {
          throw new Error(`SQS refused ${out.Failed.length} job messages: ${out.Failed.map((f) => f.Message).join('; ')}`);
        }
      }
    }
  }

  async sendResult(msg: ResultMessage, delaySeconds = 0): Promise<void> {
    const body = ResultMessageSchema.parse(msg);
    await this.batcher.send(this.url(RESULTS_QUEUE_KEY), encodeMessageBody(body), delaySeconds);
  }

  async sendEvent(msg: WebhookEventMessage): Promise<void> {
    const body = encodeMessageBody(WebhookEventMessageSchema.parse(msg));
    if (Buffer.byteLength(body) > 256 * 1024) throw new Error(`event ${msg.deliveryId} is over SQS's 256 KiB message limit`);
    await this.batcher.send(this.url(EVENTS_QUEUE_KEY), body);
  }

  async receive(
    url: string,
    opts: { max?: number; waitSeconds?: number; visibilitySeconds?: number; abortSignal?: AbortSignal } = {},
  ): Promise<Message[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: opts.max ?? 1,
        WaitTimeSeconds: opts.waitSeconds ?? 20,
        VisibilityTimeout: opts.visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
      { abortSignal: opts.abortSignal },
    );
    return out.Messages ?? [];
  }

  async delete(url: string, receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receiptHandle }));
  }

  async extend(url: string, receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  }

  async depth(url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const a = out.Attributes ?? {};
    return {
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }
}

export const decodeResultMessage = (m: Message): Received<ResultMessage> | Rejected => decodeMessage(m, ResultMessageSchema);
export const decodeEventMessage = (m: Message): Received<WebhookEventMessage> | Rejected => decodeMessage(m, WebhookEventMessageSchema);
