// Lambda handler for the results queue (SQS event source with ReportBatchItemFailures).
import type { Message } from '@aws-sdk/client-sqs';
import { processResultMessage } from '../results/index.ts';
import { lambdaServices } from './lambda-services.ts';

interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
}

/** Failed records are reported back so SQS redelivers only those (and dead-letters them in the end). */
export async function main(event: { Records: SqsRecord[] }): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const svc = await lambdaServices();
  const failures: { itemIdentifier: string }[] = [];
  for (const r of event.Records) {
    const m: Message = { MessageId: r.messageId, ReceiptHandle: r.receiptHandle, Body: r.body, Attributes: r.attributes };
    if (!(await processResultMessage(svc, m))) failures.push({ itemIdentifier: r.messageId });
  }
  return { batchItemFailures: failures };
}
