import { POOLS, PRIORITIES } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';

/** Milliseconds since the epoch; tests pass a later one instead of waiting for jobs to age. */
export type Clock = () => number;

/**
 * SQS can lose a message (a bug, expired retention) and the local queue forgets everything on
 * restart. The store is the truth: jobs queued but unclaimed for `olderThanSeconds` are sent
 * again — unless their queue still holds at least as many messages as there are such jobs, as it
 * does when runners are merely busy (bulk jobs can wait for hours; re-sending them every period
 * would flood the queue with duplicates). `queuedSince` is refreshed on re-send, so each job is
 * re-sent at most once per period; a duplicate is harmless because runners claim conditionally.
 */
export async function sweepQueuedJobs(svc: Services, olderThanSeconds: number, now: Clock = Date.now): Promise<{ resent: number }> {
  const before = new Date(now() - olderThanSeconds * 1000).toISOString();
  let resent = 0;
  for (const pool of POOLS) {
    const stale = await svc.store.jobs.listQueuedSince(pool, before, 1000);
    for (const priority of PRIORITIES) {
      const jobs = stale.filter((j) => j.priority === priority);
      if (jobs.length === 0) continue;
      const depth = await svc.queues.depth(svc.queues.jobQueueUrl(pool, priority));
      if (depth.visible + depth.inFlight + depth.delayed >= jobs.length) continue;
      const touched = [];
      for (const job of jobs) if (await svc.store.jobs.touchQueued(job.id, job.generation)) touched.push(job);
      if (touched.length > 0) await svc.queues.sendJobs(touched);
      resent += touched.length;
    }
  }
  if (resent > 0) svc.log.warn({ resent }, 'sweeper re-enqueued queued jobs whose messages were missing');
  return { resent };
}

/**
 * The safety net for a runner that died and whose job message is gone too: a running job whose
 * heartbeat is older than `staleSeconds` goes back to the queue (attempt + 1 on the next claim).
 * Normally the job's own message reappears and another runner takes it over long before this.
 */
export async function sweepStaleRunningJobs(svc: Services, staleSeconds: number, now: Clock = Date.now): Promise<{ released: number }> {
  const before = new Date(now() - staleSeconds * 1000).toISOString();
  let released = 0;
  for (const pool of POOLS) {
    const candidates = await svc.store.jobs.listRunningSince(pool, before, 100);
    for (const job of candidates) {
      if (!job.heartbeatAt || job.heartbeatAt >= before) continue;
      const back = await svc.store.jobs.releaseStale(job.id, before);
      if (!back) continue;
      await svc.queues.sendJob(back);
      released++;
      svc.log.warn({ jobId: job.id, runnerId: job.runnerId, heartbeatAt: job.heartbeatAt }, 'running job with a silent runner re-queued');
    }
  }
  return { released };
}
