import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { RUNNER_LABEL } from '../docker/container-config.ts';

// Step containers are named cid-<job id>-step<n>-<random> (runner/docker/container-config.ts).
const STEP_CONTAINER = /^\/?cid-(j[0-9a-f]{24})-step\d+-[a-z0-9]+$/;

/**
 * At start, removes step containers an earlier process of this runner left behind (a SIGKILL
 * leaves its container running until its command ends): those labelled with this runner's id
 * whose job it no longer holds (`held`, from the runner API). Containers of other runners sharing
 * the Docker host (other ids, or another deployment) are not ours to judge: kept.
 */
export async function removeOrphanContainers(o: { docker: Docker; runnerId: string; held: ReadonlySet<string>; log: Logger }): Promise<number> {
  const containers = await o.docker.listContainers({ all: true, filters: { label: [`${RUNNER_LABEL}=${o.runnerId}`] } });
  let removed = 0;
  for (const c of containers) {
    const name = c.Names?.find((n) => STEP_CONTAINER.test(n));
    const jobId = name ? STEP_CONTAINER.exec(name)?.[1] : undefined;
    if (!jobId || o.held.has(jobId) || c.Labels?.[RUNNER_LABEL] !== o.runnerId) continue;
    await o.docker
      .getContainer(c.Id)
      .remove({ force: true })
      .then(() => removed++)
      .catch((err: unknown) => o.log.warn({ err, container: name }, 'could not remove an orphaned step container'));
  }
  if (removed > 0) o.log.warn({ removed }, 'removed step containers of jobs this runner no longer holds');
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
