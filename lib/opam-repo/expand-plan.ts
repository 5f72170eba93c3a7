// The control plane's half of planning: from the analysis' compact plan to jobs with build specs,
// using the same catalogue the analysis was given.
import type { OpamRepoAnalysis, PlannedJob } from '../contract/index.ts';
import type { Platform } from '../analysis/index.ts';
import { jobName, opamRepoMatrix } from './matrix.ts';
import type { MatrixPlatform } from './matrix.ts';
import { opamRepoJobSpec } from './specs.ts';

/** opam-repo-ci's build timeout; riscv64 gets twice as long. */
export const OPAM_JOB_TIMEOUT_SECONDS = 2 * 3600;

export interface SkippedJob {
  name: string;
  pool: PlannedJob['pool'];
  reason: string;
}

export interface ExpandedPlan {
  /** Jobs to create and queue; revdeps on the bulk queues. */
  planned: PlannedJob[];
  /** Jobs recorded as skipped (the release cannot be installed there). */
  skipped: SkippedJob[];
}

const timeoutFor = (p: Platform): number => (p.arch === 'riscv64' ? 2 : 1) * OPAM_JOB_TIMEOUT_SECONDS;

export function expandPlan(analysis: OpamRepoAnalysis, platforms: readonly Platform[]): ExpandedPlan {
  const matrix = opamRepoMatrix(platforms);
  const byVariant = new Map<string, MatrixPlatform>(matrix.platforms.map((mp) => [mp.platform.variant, mp]));
  const planned: PlannedJob[] = [];
  const skipped: SkippedJob[] = [];
  const gone = (variant: string) => `platform ${variant} is no longer in the catalogue`;

  for (const j of analysis.jobs) {
    const mp = byVariant.get(j.variant);
    if (mp === undefined || j.skip !== undefined) {
      skipped.push({ name: j.name, pool: mp?.platform.pool ?? 'linux-x86_64', reason: j.skip ?? gone(j.variant) });
      continue;
    }
    planned.push({
      name: j.name,
      kind: 'opam-repo',
      pool: mp.platform.pool,
      priority: 'urgent',
      spec: opamRepoJobSpec({ platform: mp.platform, pkg: j.pkg, type: j.type }),
      experimental: j.experimental,
      timeoutSeconds: timeoutFor(mp.platform),
    });
  }
  for (const r of analysis.revdeps) {
    for (const b of r.builds) {
      const mp = byVariant.get(b.variant);
      if (mp === undefined) {
        // Recorded anyway, so the pipeline's jobs match the plan the reports count on.
        for (const revdep of b.packages) skipped.push({ name: `${b.variant},${r.pkg},revdeps,${revdep}`, pool: 'linux-x86_64', reason: gone(b.variant) });
        continue;
      }
      for (const revdep of b.packages) {
        planned.push({
          name: jobName(mp, r.pkg, { type: 'revdep', revdep }),
          kind: 'opam-repo',
          pool: mp.platform.pool,
          // Revdeps wait behind every other PR's jobs.
          priority: 'bulk',
          spec: opamRepoJobSpec({ platform: mp.platform, pkg: r.pkg, type: 'revdep', revdep }),
          experimental: false,
          timeoutSeconds: timeoutFor(mp.platform),
        });
      }
    }
  }
  return { planned, skipped };
}
