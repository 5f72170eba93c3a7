// Which pools cid local runs jobs for. This machine's Docker engine serves its own architecture;
// other architectures run only with --emulate and qemu registered with binfmt_misc (slow, so
// opt-in). Jobs of any other pool are marked skipped with the reason, rather than left waiting.
import { readFileSync } from 'node:fs';
import type { Pool } from '../../lib/contract/index.ts';

/** The binfmt_misc entry qemu-user-static (or `docker run --privileged tonistiigi/binfmt`) registers. */
export const QEMU_OF_POOL: Record<Pool, string> = {
  'linux-x86_64': 'qemu-x86_64',
  'linux-arm64': 'qemu-aarch64',
  'linux-ppc64le': 'qemu-ppc64le',
  'linux-s390x': 'qemu-s390x',
  'linux-riscv64': 'qemu-riscv64',
};

/** The (analysis) job is queued on this pool (app/pipelines/start-pipeline.ts). */
export const ANALYSIS_POOL: Pool = 'linux-x86_64';

export function canEmulate(pool: Pool, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): boolean {
  try {
    return read(`/proc/sys/fs/binfmt_misc/${QEMU_OF_POOL[pool]}`).startsWith('enabled');
  } catch {
    return false;
  }
}

export interface PoolPlan {
  /** Pools that get a runner, with whether it runs through emulation. */
  runners: { pool: Pool; emulated: boolean }[];
  /** Pools whose jobs are skipped, with the reason shown on each job. */
  skip: Map<Pool, string>;
}

export function skipReason(pool: Pool, emulatable: boolean): string {
  return `not run locally: no ${pool} runner on this machine${emulatable ? ' (qemu could emulate it: cid local --emulate)' : ''}`;
}

/**
 * `wanted`: the pools of the catalogue's platforms. The host's pool always has a runner, and so
 * does the analysis pool (the analysis runs in-process, whatever the architecture).
 */
export function planPools(wanted: readonly Pool[], o: { hostPool: Pool; emulate: boolean; canEmulate: (p: Pool) => boolean }): PoolPlan {
  const runners: PoolPlan['runners'] = [{ pool: o.hostPool, emulated: false }];
  if (o.hostPool !== ANALYSIS_POOL) runners.push({ pool: ANALYSIS_POOL, emulated: true });
  const skip = new Map<Pool, string>();
  for (const pool of new Set(wanted)) {
    if (runners.some((r) => r.pool === pool)) continue;
    const emulatable = o.canEmulate(pool);
    if (o.emulate && emulatable) runners.push({ pool, emulated: true });
    else skip.set(pool, skipReason(pool, emulatable));
  }
  return { runners, skip };
}
