import type { Message } from '@aws-sdk/client-sqs';
import type { Services } from '../services.ts';

/**
 * A local long-poll consumer (on AWS a Lambda event source does this): `handle` returns true when
 * the message may be deleted; false or a throw leaves it for SQS to redeliver and, in the end,
 * dead-letter.
 */
export async function consumeLoop(
  svc: Services,
  url: string,
  handle: (m: Message) => Promise<boolean>,
  signal: AbortSignal,
  opts: { waitSeconds?: number; name: string },
): Promise<void> {
  while (!signal.aborted) {
    let messages: Message[];
    try {
      messages = await svc.queues.receive(url, { max: 10, waitSeconds: opts.waitSeconds ?? 5, abortSignal: signal });
    } catch (err) {
      if (signal.aborted) return;
      svc.log.error({ err, consumer: opts.name }, 'receiving failed; retrying in 1 s');
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    await Promise.all(
      messages.map(async (m) => {
        let done = false;
        try {
          done = await handle(m);
        } catch (err) {
          svc.log.error({ err, consumer: opts.name }, 'message failed; SQS will redeliver it');
        }
        if (done) await svc.queues.delete(url, m.ReceiptHandle ?? '').catch((err: unknown) => svc.log.error({ err }, 'delete failed'));
      }),
    );
  }
}
