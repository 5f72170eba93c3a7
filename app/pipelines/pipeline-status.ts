import type { Job, Pipeline, PipelineStatus } from '../../lib/contract/index.ts';

/** A pipeline's state follows from its jobs; experimental jobs never fail it. */
export function pipelineStatusFrom(pipeline: Pick<Pipeline, 'error' | 'planned'>, jobs: Job[]): PipelineStatus {
  if (pipeline.error) return 'failed';
  if (jobs.length === 0) return 'pending';
  // The analysis passed but its jobs are not created yet (its result is still on the queue).
  if (!pipeline.planned && jobs.some((j) => j.kind === 'analysis' && j.status === 'passed')) return 'running';
  if (jobs.some((j) => j.status === 'running')) return 'running';
  if (jobs.some((j) => j.status === 'queued')) return jobs.some((j) => j.status !== 'queued') ? 'running' : 'pending';
  const required = jobs.filter((j) => !j.experimental);
  if (required.some((j) => j.status === 'failed')) return 'failed';
  if (required.some((j) => j.status === 'errored')) return 'errored';
  if (required.some((j) => j.status === 'cancelled')) return 'cancelled';
  return 'passed';
}
