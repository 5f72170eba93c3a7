import type { OpamRepoAnalysis, Pipeline, Source } from '../../lib/contract/index.ts';
import { addJobs } from '../pipelines/add-jobs.ts';
import { jobIdFor } from '../store/index.ts';
import type { Services } from '../services.ts';
import type { Platform } from '../../lib/analysis/index.ts';
import { expandPlan } from '../../lib/opam-repo/expand-plan.ts';

/**
 * Creates an opam-repository PR's jobs from the analysis' plan: queued ones through addJobs
 * (idempotent, revdeps on the bulk queues), skipped ones recorded as such so they show in the
 * reports. Returns how many of each.
 */
export async function addOpamRepoJobs(
  svc: Services,
  pipeline: Pipeline,
  source: Source,
  analysis: OpamRepoAnalysis,
  platforms: readonly Platform[],
): Promise<{ queued: number; skipped: number }> {
  const { planned, skipped } = expandPlan(analysis, platforms);
  for (const s of skipped) {
    await svc.store.jobs.create({
      id: jobIdFor(pipeline.id, s.name),
      pipelineId: pipeline.id,
      repo: pipeline.repo,
      sha: pipeline.sha,
      name: s.name,
      kind: 'opam-repo',
      pool: s.pool,
      priority: 'urgent',
      source,
      status: 'skipped',
      reason: s.reason,
    });
  }
  const created = await addJobs(svc, pipeline, source, planned);
  return { queued: created.length, skipped: skipped.length };
}
