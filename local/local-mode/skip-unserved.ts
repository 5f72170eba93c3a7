// Jobs of pools no local runner serves would wait in their queue forever: they are taken (claimed
// as a runner would) and finished as skipped, with the reason in the job and in its log.
import type { Job, Pool } from '../../lib/contract/index.ts';
import { logIdFor } from '../../app/store/index.ts';
import type { Services } from '../../app/services.ts';

export const SKIPPER_ID = 'local-skip';

const stamp = (d: Date): string => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}: `;
};

/** Skips the queued jobs of `skip`'s pools; returns the names of those it skipped. */
export async function skipUnserved(svc: Services, jobs: readonly Job[], skip: ReadonlyMap<Pool, string>): Promise<string[]> {
  const done: string[] = [];
  for (const j of jobs) {
    const reason = skip.get(j.pool);
    if (j.status !== 'queued' || reason === undefined) continue;
    // The claim's condition makes this safe against anything else taking the job meanwhile.
    const claimed = await svc.store.jobs.claim(j.id, { runnerId: SKIPPER_ID, generation: j.generation, staleBefore: new Date(0).toISOString() });
    if (!claimed) continue;
    await svc.store.logs.append(logIdFor(claimed.id, claimed.generation, claimed.attempt), 0, `${stamp(new Date())}[cid] ${j.name}: ${reason}\n`);
    const finished = await svc.store.jobs.finish(j.id, SKIPPER_ID, { status: 'skipped', reason });
    if (!finished) continue;
    await svc.queues.sendResult({ type: 'job-updated', jobId: j.id, status: 'skipped' });
    done.push(j.name);
  }
  return done;
}
