import type { Message } from '@aws-sdk/client-sqs';
import { EVENTS_QUEUE_KEY } from '../../lib/resources/index.ts';
import { decodeEventMessage, isRejected } from '../queue/index.ts';
import { consumeLoop } from '../queue/consume-loop.ts';
import type { Services } from '../services.ts';
import { processEvent, type WebhookResult } from '../webhooks/index.ts';

export type EventProcessed = (deliveryId: string, result: WebhookResult) => void;

/** One message of the events queue; true when it can be deleted. */
export async function processEventMessage(svc: Services, m: Message, onProcessed?: EventProcessed): Promise<boolean> {
  const decoded = decodeEventMessage(m);
  if (isRejected(decoded)) {
    svc.log.error({ raw: decoded.raw?.slice(0, 500), error: decoded.error }, 'invalid events message dropped');
    return true;
  }
  try {
    const result = await processEvent(svc, decoded.body);
    onProcessed?.(decoded.body.deliveryId, result);
    return true;
  } catch (err) {
    svc.log.error({ err, delivery: decoded.body.deliveryId, receiveCount: decoded.receiveCount }, 'event failed; SQS will redeliver it');
    return false;
  }
}

export function consumeEvents(svc: Services, signal: AbortSignal, opts: { waitSeconds?: number; onProcessed?: EventProcessed } = {}): Promise<void> {
  return consumeLoop(svc, svc.queues.url(EVENTS_QUEUE_KEY), (m) => processEventMessage(svc, m, opts.onProcessed), signal, { ...opts, name: 'events' });
}
