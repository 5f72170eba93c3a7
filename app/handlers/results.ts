// Lambda handler for the results queue (SQS event source with ReportBatchItemFailures).
import { processResultMessage } from '../results/index.ts';
import { sqsBatchHandler } from './sqs-batch.ts';

export const main = sqsBatchHandler(processResultMessage);
