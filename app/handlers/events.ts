// Lambda handler for the events queue (verified webhook deliveries), with ReportBatchItemFailures.
import type { Message } from '@aws-sdk/client-sqs';
import { processEventMessage } from '../events/index.ts';
import { lambdaServices } from './lambda-services.ts';

interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
}

export async function main(event: { Records: SqsRecord[] }): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const svc = await lambdaServices();
  const failures: { itemIdentifier: string }[] = [];
  for (const r of event.Records) {
    const m: Message = { MessageId: r.messageId, ReceiptHandle: r.receiptHandle, Body: r.body, Attributes: r.attributes };
    if (!(await processEventMessage(svc, m))) failures.push({ itemIdentifier: r.messageId });
  }
  return { batchItemFailures: failures };
}
