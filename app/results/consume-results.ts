import type { Message } from '@aws-sdk/client-sqs';
import { RESULTS_QUEUE_KEY } from '../../infra/resources/index.ts';
import { decodeResultMessage, isRejected } from '../queue/index.ts';
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
export async function consumeResults(svc: Services, signal: AbortSignal, opts: { waitSeconds?: number } = {}): Promise<void> {
  const url = svc.queues.url(RESULTS_QUEUE_KEY);
  while (!signal.aborted) {
    let messages: Message[];
    try {
      messages = await svc.queues.receive(url, { max: 10, waitSeconds: opts.waitSeconds ?? 5, abortSignal: signal });
    } catch (err) {
      if (signal.aborted) return;
      svc.log.error({ err }, 'receiving results failed; retrying in 1 s');
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    for (const m of messages) {
      if (await processResultMessage(svc, m)) await svc.queues.delete(url, m.ReceiptHandle ?? '');
    }
  }
}
