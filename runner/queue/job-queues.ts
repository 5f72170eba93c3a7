import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Priority } from '../../lib/contract/index.ts';

/**
 * A runner's only direct use of SQS: receive, delete and change-visibility on its pool's two job
 * queues, whose URLs `register` answered. Everything else goes through the runner API.
 */
export class JobQueues {
  constructor(
    readonly sqs: SQSClient,
    readonly urls: Readonly<Record<Priority, string>>,
  ) {}

  async receive(priority: Priority, opts: { waitSeconds: number; visibilitySeconds: number }): Promise<Message | undefined> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.urls[priority],
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: opts.waitSeconds,
        VisibilityTimeout: opts.visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    return out.Messages?.[0];
  }

  async delete(priority: Priority, receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.urls[priority], ReceiptHandle: receiptHandle }));
  }

  /** Keeps a message invisible for `seconds` more (0: visible again at once). */
  async extend(priority: Priority, receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.urls[priority], ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  }
}
