import type Docker from 'dockerode';
import type { RunnerJob } from '../../lib/contract/index.ts';
import { executeBuild, ImageUnavailableError, type NetworkRetry, type ResourceLimits } from '../docker/index.ts';
import type { JobOutcome } from './job-outcome.ts';

export interface BuildJobOptions {
  docker: Docker;
  sourceDir: string;
  limits: ResourceLimits;
  cachePrefix: string;
  signal: AbortSignal;
  log: (text: string) => void;
  /** Labels the job's containers (orphan clean-up after a restart). */
  runnerId?: string;
  /** Retries of a networked step after a transient network failure; default 0. */
  networkRetries?: number;
  /** Told of each such retry, with the family of the message that matched (curl, apt, opam…). */
  onNetworkRetry?: (tool: string) => void;
}

/** A build or lint job: its spec run in Docker with the step cache. */
export async function runBuildJob(job: RunnerJob, o: BuildJobOptions): Promise<JobOutcome> {
  if (!job.spec) return { status: 'errored', reason: `job ${job.name} has no build spec` };
  try {
    const r = await executeBuild({
      docker: o.docker,
      spec: job.spec,
      sourceDir: o.sourceDir,
      pool: job.pool,
      jobId: job.id,
      ...(o.runnerId ? { runnerId: o.runnerId } : {}),
      limits: o.limits,
      timeoutMs: job.timeoutSeconds * 1000,
      signal: o.signal,
      onLog: o.log,
      cachePrefix: o.cachePrefix,
      networkRetries: o.networkRetries ?? 0,
      ...(o.onNetworkRetry ? { onNetworkRetry: (r: NetworkRetry) => o.onNetworkRetry?.(r.failure.tool) } : {}),
    });
    const cacheHits = r.steps.filter((s) => s.cached).length;
    const counts = { cacheHits, cacheMisses: r.steps.length - cacheHits };
    switch (r.status) {
      case 'passed':
        return { status: 'passed', ...counts };
      case 'failed': {
        // The error says why; the step and its exit status follow, as before.
        const step = `step ${(r.failedStep ?? 0) + 1} exited with ${r.exitCode ?? '?'}`;
        return { status: 'failed', reason: r.error ? `${r.error} (${step})` : step, ...counts };
      }
      case 'cancelled':
        return { status: 'cancelled', reason: 'cancelled', ...counts };
      case 'timed_out':
        return { status: 'failed', reason: `timed out after ${job.timeoutSeconds} s`, timedOut: true, ...counts };
    }
  } catch (err) {
    if (err instanceof ImageUnavailableError) return { status: 'errored', reason: err.message };
    throw err;
  }
}
