import { z } from 'zod';

/** Runner pools: one per CPU architecture, as OCluster's linux-* pools. */
export const POOLS = ['linux-x86_64', 'linux-arm64', 'linux-ppc64le', 'linux-s390x', 'linux-riscv64'] as const;
export const PoolSchema = z.enum(POOLS);
export type Pool = z.infer<typeof PoolSchema>;

/** Urgent work (pushes, PRs) is always drained before bulk work (revdeps, health checks). */
export const PRIORITIES = ['urgent', 'bulk'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** The pool a runner on this machine serves by default, from Node's view of the CPU. */
export function poolForArch(arch: string): Pool | undefined {
  const map: Record<string, Pool> = {
    x64: 'linux-x86_64',
    arm64: 'linux-arm64',
    ppc64: 'linux-ppc64le',
    s390x: 'linux-s390x',
    riscv64: 'linux-riscv64',
  };
  return map[arch];
}

/** Docker's platform string for the containers of a pool. */
export function dockerPlatform(pool: Pool): string {
  switch (pool) {
    case 'linux-x86_64':
      return 'linux/amd64';
    case 'linux-arm64':
      return 'linux/arm64';
    case 'linux-ppc64le':
      return 'linux/ppc64le';
    case 'linux-s390x':
      return 'linux/s390x';
    case 'linux-riscv64':
      return 'linux/riscv64';
  }
}
