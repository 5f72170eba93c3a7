import { isFinal } from '../../lib/contract/index.ts';
import { NotFoundError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';

/** Cancels every unfinished job of a pipeline; returns how many were asked to stop. */
export async function cancelPipelineJobs(svc: Services, pipelineId: string, reason = 'cancelled'): Promise<number> {
  const jobs = await svc.store.jobs.listByPipeline(pipelineId);
  let n = 0;
  for (const j of jobs) {
    if (isFinal(j.status)) continue;
    if (await svc.store.jobs.requestCancel(j.id, reason)) n++;
  }
  if (n > 0) await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId });
  return n;
}

export async function cancelJob(svc: Services, jobId: string, reason = 'cancelled'): Promise<void> {
  const job = await svc.store.jobs.get(jobId);
  if (!job) throw new NotFoundError(`job ${jobId} not found`);
  if (isFinal(job.status)) return;
  await svc.store.jobs.requestCancel(jobId, reason);
  await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: job.pipelineId });
}
