import type { Job, PlannedJob, Pipeline, Source } from '../../lib/contract/index.ts';
import { jobIdFor, type NewJob } from '../store/index.ts';
import type { Services } from '../services.ts';

/**
 * Creates a pipeline's jobs and queues the ones this call created. Creating is idempotent (ids
 * derive from pipeline and name), so a repeated analysis result or delivery queues nothing twice.
 * A crash between create and send leaves a queued job without a message: the sweeper re-sends it.
 */
export async function addJobs(svc: Services, pipeline: Pipeline, source: Source, planned: PlannedJob[]): Promise<Job[]> {
  const created: Job[] = [];
  for (const p of planned) {
    const input: NewJob = {
      id: jobIdFor(pipeline.id, p.name),
      pipelineId: pipeline.id,
      repo: pipeline.repo,
      sha: pipeline.sha,
      name: p.name,
      kind: p.kind,
      pool: p.pool,
      priority: p.priority,
      spec: p.spec,
      source,
      experimental: p.experimental,
      ...(p.timeoutSeconds ? { timeoutSeconds: p.timeoutSeconds } : {}),
      ...(p.packages ? { packages: p.packages } : {}),
    };
    const r = await svc.store.jobs.create(input);
    if (r.created) created.push(r.job);
  }
  if (created.length > 0) await svc.queues.sendJobs(created);
  return created;
}

/** The first job of every pipeline: read the commit's opam files and plan the matrix. */
export const ANALYSIS_JOB = '(analysis)';
