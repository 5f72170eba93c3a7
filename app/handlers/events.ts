// Lambda handler for the events queue (verified webhook deliveries), with ReportBatchItemFailures.
import { processEventMessage } from '../events/index.ts';
import { sqsBatchHandler } from './sqs-batch.ts';

export const main = sqsBatchHandler((svc, m) => processEventMessage(svc, m));
