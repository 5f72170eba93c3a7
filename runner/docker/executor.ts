import type Docker from 'dockerode';
import { performance } from 'node:perf_hooks';
import { BuildSpecSchema, dockerPlatform } from '../../lib/contract/index.ts';
import type { BuildSpec, BuildSpecInput, Pool, Step } from '../../lib/contract/index.ts';
import { resolveBaseImage } from './base-image.ts';
import type { BaseImage } from './base-image.ts';
import { StepCache } from './cached-build.ts';
import { RUNNER_LABEL } from './container-config.ts';
import type { ResourceLimits } from './container-config.ts';
import { ExecutorError } from './errors.ts';
import { JobAbort } from './job-abort.ts';
import { stampLine } from './log-lines.ts';
import { StepLogStore } from './log-store.ts';
import { DEFAULT_NETWORK_RETRY_DELAY_MS } from './network-retry.ts';
import type { NetworkRetry } from './network-retry.ts';
import { executeStep, isConfigStep } from './steps/index.ts';
import type { Job, JobState, StepEnd } from './steps/index.ts';

export interface ExecuteBuildOptions {
  docker: Docker;
  spec: BuildSpec | BuildSpecInput;
  /** The job's checked-out source; `copy` steps read from here. */
  sourceDir: string;
  pool: Pool;
  jobId: string;
  /** The runner running the job: labels its containers, so a restarted runner finds its orphans. */
  runnerId?: string;
  limits: ResourceLimits;
  /** For the whole job, cache replays included. */
  timeoutMs: number;
  /** Cancels the job: the running container is killed at once. */
  signal?: AbortSignal;
  /** Timestamped log text, in order, as it arrives (partial lines included). */
  onLog: (chunk: string) => void;
  /** Cache mounts become the named volumes `${cachePrefix}-${pool}-${id}`. */
  cachePrefix: string;
  /** Look up and record step results (default). Off, every step runs and nothing is kept. */
  cache?: boolean;
  /** Where the logs of cached steps are kept for replay; default `~/.cache/cid/step-logs`. */
  logStore?: StepLogStore;
  /**
   * How many times a `run` step with the network on is run again, from the same parent image,
   * when it fails and the end of its output is a known transient network failure
   * (transient-failure.ts). Default 0: never.
   */
  networkRetries?: number;
  /** Wait before the first retry, doubled for each next one; default 2000 ms. */
  networkRetryDelayMs?: number;
  /** Told of each retry as it starts (for metrics). */
  onNetworkRetry?: (retry: NetworkRetry) => void;
}

export type BuildStatus = 'passed' | 'failed' | 'cancelled' | 'timed_out';

export interface StepResult {
  index: number;
  op: Step['op'];
  /** Not executed in this job: its result (and log) came from the cache. */
  cached: boolean;
  key: string;
  durationMs: number;
  /** Runs again after transient network failures (absent when none). */
  networkRetries?: number;
}

export interface BuildResult {
  status: BuildStatus;
  /** The failing run step's exit status. */
  exitCode?: number;
  /** The step that failed, or was running when the job was cancelled or timed out. */
  failedStep?: number;
  /** The first compiler, dune or opam error in the failed step's output, one line (first-error.ts). */
  error?: string;
  steps: StepResult[];
}

/** The log consumer threw; the build itself ran to its end (and cleaned up) regardless. */
export class LogSinkError extends ExecutorError {
  override readonly name = 'LogSinkError';
}

function parseSpec(spec: BuildSpec | BuildSpecInput): BuildSpec {
  const parsed = BuildSpecSchema.safeParse(spec);
  if (!parsed.success) throw new ExecutorError(`invalid build spec: ${parsed.error.message}`, { cause: parsed.error });
  return parsed.data;
}

const stepResult = (index: number, step: Step, end: StepEnd, t0: number): StepResult => ({
  index,
  op: step.op,
  cached: end.kind === 'ok' && end.cached,
  key: end.key,
  durationMs: Math.round(performance.now() - t0),
  ...(end.retries === undefined ? {} : { networkRetries: end.retries }),
});

/**
 * Runs a build spec step by step in containers, OBuilder-style: every step's result is cached as
 * a local image under a key chaining its parent's, so an unchanged prefix is reused and its log
 * replayed (cached-build.ts; each step kind in steps/). Resolves with the outcome of the build;
 * rejects only on infrastructure errors (no engine, base image unavailable), after removing
 * whatever it created.
 */
export async function executeBuild(opts: ExecuteBuildOptions): Promise<BuildResult> {
  const spec = parseSpec(opts.spec);
  const platform = dockerPlatform(opts.pool);
  const abort = new JobAbort(opts.signal, opts.timeoutMs);
  const deferred: Promise<unknown>[] = [];
  const steps: StepResult[] = [];
  let sinkError: unknown;
  const emit = (text: string): void => {
    if (text === '') return;
    try {
      opts.onLog(text);
    } catch (e) {
      sinkError ??= e;
    }
  };
  const cache = new StepCache({ docker: opts.docker, store: opts.logStore ?? new StepLogStore(), enabled: opts.cache ?? true, emit });

  const finish = (result: Omit<BuildResult, 'steps'>, verdict: string): BuildResult => {
    emit(stampLine(verdict));
    return { ...result, steps };
  };
  // People count steps from 1; results (failedStep, steps[].index) from 0.
  const nth = (index: number): string => `step ${index + 1}/${spec.steps.length}`;
  const interrupted = (failedStep?: number): BuildResult =>
    finish(
      { status: abort.status, ...(failedStep === undefined ? {} : { failedStep }) },
      abort.status === 'timed_out' ? `Job timed out after ${(abort.timeoutMs / 1000).toFixed(1)}s` : 'Job cancelled',
    );

  try {
    if (abort.signal.aborted) return interrupted();
    emit(stampLine(`/: (from ${spec.from})`));
    let base: BaseImage;
    try {
      base = await resolveBaseImage(opts.docker, spec.from, platform, abort.signal);
    } catch (e) {
      // A pull cut short by a cancel or the timeout is that, not an unavailable image.
      if (abort.signal.aborted) return interrupted();
      throw e;
    }
    const job: Job = {
      docker: opts.docker,
      pool: opts.pool,
      platform,
      jobId: opts.jobId,
      ...(opts.runnerId ? { labels: { [RUNNER_LABEL]: opts.runnerId } } : {}),
      base,
      sourceDir: opts.sourceDir,
      limits: opts.limits,
      cachePrefix: opts.cachePrefix,
      signal: abort.signal,
      cache,
      emit,
      lastMaterial: spec.steps.findLastIndex((s) => !isConfigStep(s)),
      networkRetries: Math.max(0, Math.floor(opts.networkRetries ?? 0)),
      networkRetryDelayMs: opts.networkRetryDelayMs ?? DEFAULT_NETWORK_RETRY_DELAY_MS,
      ...(opts.onNetworkRetry === undefined ? {} : { onNetworkRetry: opts.onNetworkRetry }),
      defer: (p) => deferred.push(p),
    };
    let state: JobState = { config: { env: new Map(), workdir: base.workdir }, parentKey: base.id, parentImage: base.id, allCached: cache.enabled };

    for (const [index, step] of spec.steps.entries()) {
      if (abort.signal.aborted) return interrupted();
      const t0 = performance.now();
      const end = await executeStep(job, state, step, index);
      steps.push(stepResult(index, step, end, t0));
      switch (end.kind) {
        case 'aborted':
          return interrupted(index);
        case 'failed':
          return finish(
            {
              status: 'failed',
              failedStep: index,
              ...(end.exitCode === undefined ? {} : { exitCode: end.exitCode }),
              ...(end.error === undefined ? {} : { error: end.error }),
            },
            `Job failed: ${nth(index)} ${end.summary}`,
          );
        case 'ok':
          state = end.state;
      }
    }
    return finish({ status: 'passed' }, 'Job succeeded');
  } finally {
    abort.dispose();
    // Containers first: an image a container uses cannot be removed.
    await Promise.allSettled(deferred);
    await cache.close();
    if (sinkError !== undefined) {
      throw new LogSinkError('the onLog callback threw; the log of this job is incomplete', { cause: sinkError });
    }
  }
}
