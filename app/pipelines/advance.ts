import { z } from 'zod';
import { AnalysisResultSchema, boundList, packageName, type Job, type Pipeline } from '../../lib/contract/index.ts';
import { platformsOf } from '../../lib/opam-repo/index.ts';
import { addOpamRepoJobs } from '../opam-repo-pr/add-opam-jobs.ts';
import type { Services } from '../services.ts';
import { addJobs } from './add-jobs.ts';
import { pipelineStatusFrom } from './pipeline-status.ts';

// Advancing a pipeline: the one module that writes its state (plan, error, status). Reporting
// it (GitHub, Slack) is app/reporters', on the view this returns.

/** A pipeline and its jobs, with the status advancePipeline wrote. */
export interface PipelineView {
  pipeline: Pipeline;
  jobs: Job[];
}

/**
 * A finished (analysis) job: its plan becomes the pipeline's jobs (created and queued once,
 * however often the result is applied), or its failure the pipeline's error.
 */
export async function applyAnalysis(svc: Services, job: Job): Promise<void> {
  if (job.kind !== 'analysis') return;
  if (job.status === 'failed' || job.status === 'errored') {
    await svc.store.pipelines.update(job.pipelineId, { error: job.reason ?? 'analysis failed' });
    return;
  }
  if (job.status !== 'passed') return;
  const pipeline = await svc.store.pipelines.get(job.pipelineId);
  if (!pipeline) return;
  const parsed = AnalysisResultSchema.safeParse(job.output);
  if (!parsed.success) {
    await svc.store.pipelines.update(job.pipelineId, { error: `analysis produced an invalid result: ${z.prettifyError(parsed.error)}` });
    return;
  }
  await addJobs(svc, pipeline, job.source, parsed.data.jobs);
  // An opam repository's plan is compact (revdeps can number thousands): expanded here.
  if (parsed.data.opamRepo) await addOpamRepoJobs(svc, pipeline, job.source, parsed.data.opamRepo, platformsOf(job.params ?? svc.analysisParams));
  const { roots, pinned } = parsed.data.info;
  await svc.store.pipelines.update(job.pipelineId, {
    planned: true,
    dropped: parsed.data.dropped,
    // An opam repository's analysis has no roots of its own: nothing to show.
    ...(parsed.data.opamRepo ? {} : { roots: boundList(roots.map(packageName)), pinned: boundList(pinned.map(packageName)) }),
  });
}

/**
 * Brings a pipeline's status in line with its jobs (pipelineStatusFrom) and returns what the
 * reporters show; undefined for an unknown pipeline. The only writer of a pipeline's status.
 */
export async function advancePipeline(svc: Services, pipelineId: string): Promise<PipelineView | undefined> {
  const pipeline = await svc.store.pipelines.get(pipelineId);
  if (!pipeline) return undefined;
  const jobs = await svc.store.jobs.listByPipeline(pipelineId);
  const status = pipelineStatusFrom(pipeline, jobs);
  if (status !== pipeline.status) await svc.store.pipelines.update(pipelineId, { status });
  return { pipeline: { ...pipeline, status }, jobs };
}

/**
 * Jobs of a pipeline were queued again (a rebuild): rebuilding the analysis clears its error;
 * the status follows at once, and the reporters hear of it through a `pipeline-changed` message.
 */
export async function jobsRequeued(svc: Services, pipelineId: string, requeued: readonly Job[]): Promise<void> {
  if (requeued.length === 0) return;
  if (requeued.some((j) => j.kind === 'analysis')) await svc.store.pipelines.update(pipelineId, { error: '' });
  await advancePipeline(svc, pipelineId);
  await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId });
}
