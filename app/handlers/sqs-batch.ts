import type { Message } from '@aws-sdk/client-sqs';
import type { Services } from '../services.ts';
import { lambdaServices } from './lambda-services.ts';

interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * An SQS-triggered Lambda with ReportBatchItemFailures: each record goes through `process` (true
 * when done); the failed ones are reported so SQS redelivers only those, and in the end
 * dead-letters them.
 */
export function sqsBatchHandler(process: (svc: Services, m: Message) => Promise<boolean>) {
  return async (event: { Records: SqsRecord[] }): Promise<SqsBatchResponse> => {
    const svc = await lambdaServices();
    const failures: { itemIdentifier: string }[] = [];
    for (const r of event.Records) {
      const m: Message = { MessageId: r.messageId, ReceiptHandle: r.receiptHandle, Body: r.body, Attributes: r.attributes };
      if (!(await process(svc, m))) failures.push({ itemIdentifier: r.messageId });
    }
    return { batchItemFailures: failures };
  };
}
