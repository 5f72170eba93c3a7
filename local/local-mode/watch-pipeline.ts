// Follows one pipeline through the store (same process, so polling is cheap) until every job has
// ended. The status is worked out from the jobs, as the results consumer does, so the end is seen
// even before that consumer has written it.
import { setTimeout as delay } from 'node:timers/promises';
import { AnalysisResultSchema, isFinal, type Job, type Pipeline, type PipelineStatus } from '../../lib/contract/index.ts';
import { pipelineStatusFrom } from '../../app/pipelines/index.ts';
import type { Services } from '../../app/services.ts';
import { sortJobs } from '../../app/web/queries.ts';

export interface Snapshot {
  pipeline: Pipeline;
  /** In reading order: the analysis, builds, lints. */
  jobs: Job[];
  status: PipelineStatus;
}

export async function readSnapshot(svc: Services, pipelineId: string): Promise<Snapshot | undefined> {
  const [pipeline, jobs] = await Promise.all([svc.store.pipelines.get(pipelineId), svc.store.jobs.listByPipeline(pipelineId)]);
  if (!pipeline) return undefined;
  return { pipeline, jobs: sortJobs(jobs), status: pipelineStatusFrom(pipeline, jobs) };
}

/** The jobs the (analysis) planned, once it passed; undefined before. */
function plannedJobs(jobs: readonly Job[]): number | undefined {
  const analysis = jobs.find((j) => j.kind === 'analysis');
  if (analysis?.status !== 'passed') return undefined;
  const parsed = AnalysisResultSchema.safeParse(analysis.output);
  return parsed.success ? parsed.data.jobs.length : 0;
}

/**
 * Ended: every job final, and all the jobs a passed (analysis) planned have been added (the
 * results consumer adds them a moment after it passed). A failed analysis ends it at once.
 */
export function hasEnded(s: Snapshot): boolean {
  if (s.jobs.length === 0 || !s.jobs.every((j) => isFinal(j.status))) return false;
  const planned = plannedJobs(s.jobs);
  return planned === undefined || s.jobs.filter((j) => j.kind !== 'analysis').length >= planned;
}

/** Waits `ms`, or less if `signal` fires. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * Calls `each` with every snapshot (then again after `each` has run, so work it does, such as
 * skipping jobs, shows at once) until the pipeline has ended or `signal` fires; returns the last.
 */
export async function watchPipeline(
  svc: Services,
  pipelineId: string,
  o: { intervalMs?: number; signal?: AbortSignal; each: (s: Snapshot) => Promise<void> | void },
): Promise<Snapshot | undefined> {
  let last: Snapshot | undefined;
  while (!o.signal?.aborted) {
    const s = await readSnapshot(svc, pipelineId);
    if (s) {
      last = s;
      await o.each(s);
      if (hasEnded(s)) return s;
    }
    await sleep(o.intervalMs ?? 500, o.signal);
  }
  return last;
}
