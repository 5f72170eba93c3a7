import type Docker from 'dockerode';
import type { CacheMount, Pool } from '../../lib/contract/index.ts';

/** Cache mounts are named volumes shared by every job of a pool: `${prefix}-${pool}-${id}`. */
export const cacheVolumeName = (prefix: string, pool: Pool, id: string): string => `${prefix}-${pool}-${id}`;

export interface PreparedVolumes {
  mounts: Docker.MountSettings[];
  /** Mounts whose volume was created just now, to be given to the step's user before it starts. */
  fresh: CacheMount[];
}

const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

export async function prepareCacheVolumes(
  docker: Docker,
  cache: readonly CacheMount[],
  prefix: string,
  pool: Pool,
): Promise<PreparedVolumes> {
  const mounts: Docker.MountSettings[] = [];
  const fresh: CacheMount[] = [];
  for (const c of cache) {
    const name = cacheVolumeName(prefix, pool, c.id);
    try {
      await docker.getVolume(name).inspect();
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
      await docker.createVolume({ Name: name, Labels: { 'cid.cache': c.id, 'cid.pool': pool } });
      fresh.push(c);
    }
    mounts.push({ Type: 'volume', Source: name, Target: c.target, ReadOnly: false });
  }
  return { mounts, fresh };
}
