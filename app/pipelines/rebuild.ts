import { isFinal, type Job } from '../../lib/contract/index.ts';
import { NotFoundError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';
import { jobsRequeued } from './advance.ts';

/** Queues a finished job again; a job still queued or running is left as it is. */
export async function rebuildJob(svc: Services, jobId: string): Promise<Job | undefined> {
  const job = await svc.store.jobs.get(jobId);
  if (!job) throw new NotFoundError(`job ${jobId} not found`);
  const requeued = await svc.store.jobs.requeue(jobId);
  if (!requeued) return undefined;
  await svc.queues.sendJob(requeued);
  await jobsRequeued(svc, job.pipelineId, [requeued]);
  return requeued;
}

/** Rebuilds all finished jobs of a pipeline, or only the failed ones (failed, errored, cancelled). */
export async function rebuildPipeline(svc: Services, pipelineId: string, opts: { onlyFailed: boolean }): Promise<Job[]> {
  const pipeline = await svc.store.pipelines.get(pipelineId);
  if (!pipeline) throw new NotFoundError(`pipeline ${pipelineId} not found`);
  const jobs = await svc.store.jobs.listByPipeline(pipelineId);
  const chosen = jobs.filter((j) => isFinal(j.status) && (!opts.onlyFailed || ['failed', 'errored', 'cancelled'].includes(j.status)));
  const out: Job[] = [];
  for (const j of chosen) {
    const r = await svc.store.jobs.requeue(j.id);
    if (r) out.push(r);
  }
  if (out.length > 0) {
    await svc.queues.sendJobs(out);
    await jobsRequeued(svc, pipelineId, out);
  }
  return out;
}
