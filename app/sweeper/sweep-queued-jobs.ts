import { POOLS } from '../contract/index.ts';
import type { Services } from '../services.ts';

/**
 * SQS can lose a message (a bug, expired retention) and the local queue forgets everything on
 * restart. The store is the truth: a job queued but unclaimed for `olderThanSeconds` is sent
 * again. Its `queuedSince` is refreshed first, so each job is re-sent at most once per period;
 * a duplicate message is harmless because runners claim jobs with a conditional write.
 */
export async function sweepQueuedJobs(svc: Services, olderThanSeconds: number): Promise<{ resent: number }> {
  const before = new Date(Date.now() - olderThanSeconds * 1000).toISOString();
  let resent = 0;
  for (const pool of POOLS) {
    for (;;) {
      const stale = await svc.store.jobs.listQueuedSince(pool, before, 100);
      if (stale.length === 0) break;
      const touched = [];
      for (const job of stale) if (await svc.store.jobs.touchQueued(job.id, job.generation)) touched.push(job);
      if (touched.length > 0) await svc.queues.sendJobs(touched);
      resent += touched.length;
      if (stale.length < 100) break;
    }
  }
  if (resent > 0) svc.log.warn({ resent }, 'sweeper re-enqueued queued jobs that no runner had claimed');
  return { resent };
}
