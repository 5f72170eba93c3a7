import type { Message } from '@aws-sdk/client-sqs';
import { RESULTS_QUEUE_KEY } from '../../lib/resources/index.ts';
import { decodeResultMessage, isRejected } from '../queue/index.ts';
import { consumeLoop } from '../queue/consume-loop.ts';
import type { Services } from '../services.ts';
import { handleResult } from './handle-result.ts';

/**
 * Handles one SQS message of the results queue. Invalid messages are logged and dropped (they
 * would fail forever); a handler error leaves the message for SQS to redeliver, then dead-letter.
 * Returns true when the message can be deleted.
 */
export async function processResultMessage(svc: Services, m: Message): Promise<boolean> {
  const decoded = decodeResultMessage(m);
  if (isRejected(decoded)) {
    svc.log.error({ raw: decoded.raw?.slice(0, 500), error: decoded.error }, 'invalid results message dropped');
    return true;
  }
  try {
    const outcome = await handleResult(svc, decoded.body);
    if (outcome === 'retry') await svc.queues.sendResult(decoded.body, 2);
    return true;
  } catch (err) {
    svc.log.error({ err, msg: decoded.body, receiveCount: decoded.receiveCount }, 'results message failed; SQS will redeliver it');
    return false;
  }
}

/** The local results consumer: long-polls until the signal aborts. (On AWS a Lambda does this.) */
export function consumeResults(svc: Services, signal: AbortSignal, opts: { waitSeconds?: number } = {}): Promise<void> {
  return consumeLoop(svc, svc.queues.url(RESULTS_QUEUE_KEY), (m) => processResultMessage(svc, m), signal, { ...opts, name: 'results' });
}
