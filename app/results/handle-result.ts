import { AnalysisResultSchema, boundList, packageName, type ResultMessage } from '../../lib/contract/index.ts';
import { z } from 'zod';
import type { Services } from '../services.ts';
import { addJobs, pipelineStatusFrom } from '../pipelines/index.ts';
import { syncChecks } from '../github/index.ts';
import { recordJobUpdate } from '../metrics/index.ts';
import { platformsOf } from '../../lib/opam-repo/index.ts';
import { addOpamRepoJobs, reportOpamPr } from '../opam-repo-pr/index.ts';
import { deliverSlack, notifySlack } from '../slack/index.ts';

export type ResultOutcome = 'done' | 'retry';

/** Applies one results-queue message. 'retry' means: try again a little later (lease held). */
export async function handleResult(base: Services, msg: ResultMessage): Promise<ResultOutcome> {
  // A Slack message: delivered (or retried later, or dropped) on its own; pipelines never wait for it.
  if (msg.type === 'slack') {
    await deliverSlack(base, msg);
    return 'done';
  }
  // Every line logged while applying a result names its job or pipeline, and the repository once known.
  let svc: Services = { ...base, log: base.log.child(msg.type === 'job-updated' ? { jobId: msg.jobId } : { pipelineId: msg.pipelineId }) };
  if (msg.type === 'job-updated') {
    const job = await svc.store.jobs.get(msg.jobId);
    if (!job) {
      svc.log.warn({ jobId: msg.jobId }, 'result for an unknown job ignored');
      return 'done';
    }
    svc = { ...svc, log: svc.log.child({ pipelineId: job.pipelineId, repo: job.repo }) };
    recordJobUpdate(job);
    if (job.kind === 'analysis' && job.status === 'passed') {
      const parsed = AnalysisResultSchema.safeParse(job.output);
      const pipeline = await svc.store.pipelines.get(job.pipelineId);
      if (!pipeline) return 'done';
      if (!parsed.success) {
        await svc.store.pipelines.update(job.pipelineId, { error: `analysis produced an invalid result: ${z.prettifyError(parsed.error)}` });
      } else {
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
    } else if (job.kind === 'analysis' && (job.status === 'failed' || job.status === 'errored')) {
      await svc.store.pipelines.update(job.pipelineId, { error: job.reason ?? 'analysis failed' });
    }
    return pipelineChanged(svc, job.pipelineId);
  }
  return pipelineChanged(svc, msg.pipelineId);
}

async function pipelineChanged(svc: Services, pipelineId: string): Promise<ResultOutcome> {
  const pipeline = await svc.store.pipelines.get(pipelineId);
  if (!pipeline) {
    svc.log.warn({ pipelineId }, 'change for an unknown pipeline ignored');
    return 'done';
  }
  const jobs = await svc.store.jobs.listByPipeline(pipelineId);
  const status = pipelineStatusFrom(pipeline, jobs);
  if (status !== pipeline.status) await svc.store.pipelines.update(pipelineId, { status });
  const synced = await syncChecks(svc, pipelineId);
  await reportOpamPr(svc, { ...pipeline, status }, jobs);
  await notifySlack(svc, { ...pipeline, status }, jobs);
  return synced ? 'done' : 'retry';
}
