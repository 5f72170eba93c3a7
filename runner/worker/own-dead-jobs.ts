import type { Logger } from 'pino';
import { POOLS } from '../../lib/contract/index.ts';
import type { Queues } from '../../app/queue/index.ts';
import type { JobsStore } from '../../app/store/index.ts';

/**
 * At start, a runner hands back at once the jobs its previous process (same runner id) left
 * `running` when it died without cleaning up (kill -9, OOM killer, reboot): they are queued again
 * (attempt + 1 on the next claim) instead of waiting until their heartbeat is stale and their SQS
 * message reappears (up to the visibility timeout). Jobs of other runner ids are never touched.
 * A job whose heartbeat still moves is beaten by a live process with our id (a misconfiguration),
 * so heartbeats are watched for two beats first and a job is released only if its heartbeat did
 * not move. Returns the ids handed back.
 */
export async function handBackOwnDeadJobs(o: { jobs: JobsStore; queues: Queues; runnerId: string; heartbeatMs: number; log: Logger }): Promise<string[]> {
  const now = new Date().toISOString();
  const own = [];
  for (const pool of POOLS) {
    const running = await o.jobs.listRunningSince(pool, now, 1000);
    own.push(...running.filter((j) => j.runnerId === o.runnerId && j.heartbeatAt !== undefined));
  }
  if (own.length === 0) return [];
  const newest = Math.max(...own.map((j) => Date.parse(j.heartbeatAt ?? '')));
  const wait = newest + 2 * o.heartbeatMs + 250 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const handedBack: string[] = [];
  for (const job of own) {
    const back = await o.jobs.releaseAbandoned(job.id, o.runnerId, job.heartbeatAt ?? '');
    if (!back) {
      o.log.warn({ jobId: job.id, runnerId: o.runnerId }, 'a job of this runner id is still beating: another live process uses this id; left alone');
      continue;
    }
    await o.queues.sendJob(back);
    handedBack.push(job.id);
  }
  if (handedBack.length > 0) o.log.warn({ handedBack }, 'jobs left running by this runner before it restarted were queued again');
  return handedBack;
}
