import { pipelineId, type AnalysisParams, type Priority, type Source } from '../../lib/contract/index.ts';
import { jobIdFor } from '../store/index.ts';
import type { Services } from '../services.ts';
import { ANALYSIS_JOB } from './add-jobs.ts';
import { refLeft } from './supersede.ts';

export interface StartPipeline {
  repo: string;
  sha: string;
  /** "refs/heads/main" or "pull/12". */
  ref: string;
  installationId?: number;
  source: Source;
  priority?: Priority;
}

/** The analysis parameters for a repository: opam repositories the operator named are marked, with the revdeps cap. */
function analysisParamsFor(svc: Services, repo: string): AnalysisParams {
  const listed = svc.config.opamRepositories.some((r) => r.toLowerCase() === repo.toLowerCase());
  return { ...svc.analysisParams, ...(listed ? { opamRepository: true } : {}), maxRevdeps: svc.config.opamMaxRevdeps };
}

/**
 * A ref now points at a commit: make sure the commit's pipeline exists with its (analysis) job
 * queued, and cancel the work of the commit the ref pointed at before, unless another ref keeps it.
 */
export async function startPipeline(svc: Services, s: StartPipeline): Promise<{ pipelineId: string; created: boolean; superseded?: string }> {
  const previous = await svc.store.refs.set(s.repo, s.ref, s.sha);
  const { pipeline, created } = await svc.store.pipelines.ensure({ repo: s.repo, sha: s.sha, ref: s.ref, installationId: s.installationId });
  // Always attempted (a conditional put), so a crash after `ensure` is repaired by a redelivery.
  const job = await svc.store.jobs.create({
    id: jobIdFor(pipeline.id, ANALYSIS_JOB),
    pipelineId: pipeline.id,
    repo: s.repo,
    sha: s.sha,
    name: ANALYSIS_JOB,
    kind: 'analysis',
    pool: 'linux-x86_64',
    priority: s.priority ?? 'urgent',
    source: s.source,
    params: analysisParamsFor(svc, s.repo),
    timeoutSeconds: 600,
  });
  if (job.created) await svc.queues.sendJob(job.job);
  if (previous) await refLeft(svc, s.repo, previous, s.ref);
  if (created || job.created) await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: pipeline.id });
  return { pipelineId: pipelineId(s.repo, s.sha), created, ...(previous ? { superseded: previous } : {}) };
}
