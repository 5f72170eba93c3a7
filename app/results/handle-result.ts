import type { ResultMessage } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';
import { advancePipeline, applyAnalysis } from '../pipelines/index.ts';
import { REPORTERS } from '../reporters/index.ts';
import { recordJobUpdate } from '../metrics/index.ts';
import { deliverSlack } from '../slack/index.ts';

export type ResultOutcome = 'done' | 'retry';

/** How long one consumer may hold a pipeline while it advances and reports it. */
const PIPELINE_LEASE_MS = 30_000;

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
    await applyAnalysis(svc, job);
    return pipelineChanged(svc, job.pipelineId);
  }
  return pipelineChanged(svc, msg.pipelineId);
}

/**
 * Advances the pipeline, then hands the view to every reporter. Under a short per-pipeline
 * lease, so two consumers never report the same pipeline at once, and the view is read once the
 * lease is held: a consumer never writes an older state over a newer one.
 */
async function pipelineChanged(svc: Services, pipelineId: string): Promise<ResultOutcome> {
  const release = await svc.store.pipelines.acquireSyncLease(pipelineId, `${process.pid}-${Math.random()}`, PIPELINE_LEASE_MS);
  if (!release) {
    if (!(await svc.store.pipelines.get(pipelineId))) return unknown(svc, pipelineId);
    return 'retry';
  }
  try {
    const view = await advancePipeline(svc, pipelineId);
    if (!view) return unknown(svc, pipelineId);
    for (const reporter of REPORTERS) await reporter.report(svc, view);
    return 'done';
  } finally {
    await release();
  }
}

function unknown(svc: Services, pipelineId: string): ResultOutcome {
  svc.log.warn({ pipelineId }, 'change for an unknown pipeline ignored');
  return 'done';
}
