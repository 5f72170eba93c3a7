import { POOLS, type Job } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';

/**
 * Gives the jobs a runner holds back to their queues, for another runner to take:
 * - `abandoned` (a new registration of the runner): each only if its heartbeat has not moved since
 *   it was read (the previous process no longer holds a valid credential, so nobody can continue it);
 * - `revoked`: each while it is still this runner's, whatever its heartbeat.
 * Returns the ids requeued.
 */
export async function handBackHeld(svc: Services, runnerId: string, why: 'abandoned' | 'revoked'): Promise<string[]> {
  const held: Job[] = [];
  for (const pool of POOLS) held.push(...(await svc.store.jobs.listHeldBy(pool, runnerId)));
  const back: string[] = [];
  await Promise.all(
    held.map(async (job) => {
      const released =
        why === 'abandoned' ? await svc.store.jobs.releaseAbandoned(job.id, runnerId, job.heartbeatAt ?? '') : await svc.store.jobs.release(job.id, runnerId);
      if (!released) return;
      await svc.queues.sendJob(released);
      back.push(job.id);
    }),
  );
  if (back.length > 0) svc.log.warn({ runnerId, jobs: back, why }, 'jobs held by a runner queued again');
  return back.sort();
}
