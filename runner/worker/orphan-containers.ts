import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { JobsStore } from '../../app/store/index.ts';

// Step containers are named cid-<job id>-step<n>-<random> (runner/docker/container-config.ts).
const STEP_CONTAINER = /^\/?cid-(j[0-9a-f]{24})-step\d+-[a-z0-9]+$/;

/**
 * At start, removes step containers left behind by a runner that died on this Docker host (a
 * SIGKILL leaves its container running until its command ends). Only containers made before this
 * runner started are considered (a later one belongs to a live runner, this one included), and
 * only those of jobs this control plane knows: runners of another deployment (a staging stack) may
 * share the host. A container whose job is running on another runner with a fresh heartbeat
 * belongs to a live runner sharing the host: kept.
 */
export async function removeOrphanContainers(o: { docker: Docker; jobs: JobsStore; runnerId: string; staleMs: number; log: Logger; startedAt?: number }): Promise<number> {
  const startedAt = o.startedAt ?? Date.now();
  const containers = await o.docker.listContainers({ all: true });
  const staleBefore = new Date(Date.now() - o.staleMs).toISOString();
  let removed = 0;
  for (const c of containers) {
    const name = c.Names?.find((n) => STEP_CONTAINER.test(n));
    const jobId = name ? STEP_CONTAINER.exec(name)?.[1] : undefined;
    // Docker's Created is in whole seconds: a container of the same second as our start is kept.
    if (!jobId || c.Created >= Math.floor(startedAt / 1000)) continue;
    const job = await o.jobs.get(jobId);
    if (!job) continue;
    const alive = job.status === 'running' && job.runnerId !== o.runnerId && (job.heartbeatAt ?? '') >= staleBefore;
    if (alive) continue;
    await o.docker
      .getContainer(c.Id)
      .remove({ force: true })
      .then(() => removed++)
      .catch((err: unknown) => o.log.warn({ err, container: name }, 'could not remove an orphaned step container'));
  }
  if (removed > 0) o.log.warn({ removed }, 'removed step containers left by a runner that stopped without cleaning up');
  return removed;
}

/**
 * When a runner takes a job over from one that went silent, the earlier attempt's containers (if
 * they are on this Docker host) are stopped: the job is this runner's now.
 */
export async function removeJobContainers(docker: Docker, jobId: string): Promise<number> {
  const containers = await docker.listContainers({ all: true });
  let removed = 0;
  for (const c of containers) {
    if (!c.Names?.some((n) => STEP_CONTAINER.exec(n)?.[1] === jobId)) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .then(() => removed++)
      .catch(() => undefined);
  }
  return removed;
}
