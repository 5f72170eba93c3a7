import type { Queues } from '../../app/queue/index.ts';
import type { JobsStore } from '../../app/store/index.ts';

export type StopReason = 'cancel' | 'lost' | 'handback';

/**
 * While a job runs: refresh its heartbeat (which also tells whether it was cancelled or taken
 * over), and keep its SQS message invisible so no other runner receives it.
 */
export function keepAlive(o: {
  jobs: JobsStore;
  queues: Queues;
  jobId: string;
  runnerId: string;
  queueUrl: string;
  receiptHandle: string;
  heartbeatMs: number;
  visibilitySeconds: number;
  onStop: (why: StopReason) => void;
  onError: (err: unknown) => void;
}): () => void {
  let lastExtend = Date.now();
  let stopped = false;
  const tick = async () => {
    try {
      const hb = await o.jobs.heartbeat(o.jobId, o.runnerId);
      if (!hb.owned) o.onStop('lost');
      else if (hb.cancelRequested) o.onStop('cancel');
      // Extend at a third of the visibility timeout, so one failed call does not lose the message.
      if (Date.now() - lastExtend > (o.visibilitySeconds * 1000) / 3) {
        lastExtend = Date.now();
        await o.queues.extend(o.queueUrl, o.receiptHandle, o.visibilitySeconds);
      }
    } catch (err) {
      o.onError(err);
    }
  };
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, o.heartbeatMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
