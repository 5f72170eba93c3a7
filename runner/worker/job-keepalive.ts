import type { Lease, Priority } from '../../lib/contract/index.ts';
import type { RunnerApiClient } from '../../lib/runner-api/index.ts';
import type { JobQueues } from '../queue/index.ts';

export type StopReason = 'cancel' | 'lost' | 'handback';

/**
 * While a job runs: heartbeat its lease through the runner API (the answer says whether it was
 * cancelled or lost), and keep its SQS message invisible so no other runner receives it.
 */
export function keepAlive(o: {
  api: RunnerApiClient;
  queues: JobQueues;
  lease: Lease;
  priority: Priority;
  receiptHandle: string;
  heartbeatMs: number;
  visibilitySeconds: number;
  onStop: (why: StopReason) => void;
  onError: (err: unknown) => void;
}): () => void {
  let lastExtend = Date.now();
  let stopped = false;
  let beating = false;
  const tick = async () => {
    beating = true;
    try {
      const hb = await o.api.heartbeat({ lease: o.lease });
      if (hb.stop) o.onStop(hb.stop);
    } catch (err) {
      // Refused (credential revoked, lease gone or replaced): the job is no longer ours to run.
      const status = (err as { status?: number }).status ?? 0;
      if ([401, 403, 404, 409, 410].includes(status)) o.onStop('lost');
      else o.onError(err);
    }
    try {
      // Extend at a third of the visibility timeout, so one failed call does not lose the message.
      if (!stopped && Date.now() - lastExtend > (o.visibilitySeconds * 1000) / 3) {
        lastExtend = Date.now();
        await o.queues.extend(o.priority, o.receiptHandle, o.visibilitySeconds);
      }
    } catch (err) {
      o.onError(err);
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => {
    // A slow answer must not pile up beats.
    if (!stopped && !beating) void tick();
  }, o.heartbeatMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
