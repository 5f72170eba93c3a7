import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import { posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BuildSpecSchema, dockerPlatform } from '../../lib/contract/index.ts';
import type { BuildSpec, BuildSpecInput, Pool, Step } from '../../lib/contract/index.ts';
import { numericUser, resolveBaseImage } from './base-image.ts';
import type { BaseImage } from './base-image.ts';
import { hashedStep, stepKey } from './cache-key.ts';
import type { ResourceLimits, StepConfig } from './container-config.ts';
import { RUNNER_LABEL } from './container-config.ts';
import { executeCopy } from './copy-step.ts';
import { CopySourceError, ExecutorError } from './errors.ts';
import { LinePrefixer, stampLine } from './log-lines.ts';
import { StepLogStore } from './log-store.ts';
import type { StepLogWriter } from './log-store.ts';
import { executeRun } from './run-step.ts';
import { manifestOf, planCopy } from './source-tree.ts';
import type { CopyEntry } from './source-tree.ts';
import { leaseStep, lookupStep, tagStep } from './step-cache.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import { describeStep, stepHeader } from './step-header.ts';
import { findTransientFailure, OutputTail } from './transient-failure.ts';
import { firstError } from '../report/first-error.ts';
import type { TransientFailure } from './transient-failure.ts';

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

export interface NetworkRetry {
  /** The step, from 0. */
  index: number;
  /** The attempt about to start: 2 for the first retry. */
  attempt: number;
  maxAttempts: number;
  failure: TransientFailure;
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

/** One signal for cancel and timeout, remembering which came first. */
class JobAbort {
  private readonly controller = new AbortController();
  private reason: 'cancel' | 'timeout' | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onCancel = (): void => this.fire('cancel');

  constructor(
    private readonly external: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.fire('timeout'), timeoutMs);
    if (external?.aborted) this.fire('cancel');
    else external?.addEventListener('abort', this.onCancel, { once: true });
  }

  private fire(reason: 'cancel' | 'timeout'): void {
    this.reason ??= reason;
    this.controller.abort();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get status(): 'cancelled' | 'timed_out' {
    return this.reason === 'timeout' ? 'timed_out' : 'cancelled';
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.external?.removeEventListener('abort', this.onCancel);
  }
}

/** The first retry's wait; each next one waits twice as long. */
export const DEFAULT_NETWORK_RETRY_DELAY_MS = 2000;

/** Waits `ms`; false if the signal fired first (or had already). */
const pause = (ms: number, signal: AbortSignal): Promise<boolean> => delay(ms, true, { signal }).catch(() => false);

/** A step for a one-line message: long shells cut short. */
function shortStep(step: Step): string {
  const text = describeStep(step);
  return text.length > 120 ? `${text.slice(0, 118)}…)` : text;
}

const isConfigStep = (s: Step): s is Extract<Step, { op: 'env' | 'workdir' | 'user' }> =>
  s.op === 'env' || s.op === 'workdir' || s.op === 'user';

function applyConfigStep(config: StepConfig, step: Extract<Step, { op: 'env' | 'workdir' | 'user' }>): StepConfig {
  switch (step.op) {
    case 'env':
      return { ...config, env: new Map([...config.env, [step.name, step.value]]) };
    case 'workdir':
      return { ...config, workdir: step.path };
    case 'user':
      return { ...config, user: { uid: step.uid, gid: step.gid } };
  }
}

function parseSpec(spec: BuildSpec | BuildSpecInput): BuildSpec {
  const parsed = BuildSpecSchema.safeParse(spec);
  if (!parsed.success) throw new ExecutorError(`invalid build spec: ${parsed.error.message}`, { cause: parsed.error });
  return parsed.data;
}

/**
 * Runs a build spec step by step in containers, OBuilder-style: every step's result is cached as
 * a local image under a key chaining its parent's, so an unchanged prefix is reused and its log
 * replayed. Resolves with the outcome of the build; rejects only on infrastructure errors (no
 * engine, base image unavailable), after removing whatever it created.
 */
export async function executeBuild(opts: ExecuteBuildOptions): Promise<BuildResult> {
  const spec = parseSpec(opts.spec);
  const { docker } = opts;
  const platform = dockerPlatform(opts.pool);
  const useCache = opts.cache ?? true;
  const networkRetries = Math.max(0, Math.floor(opts.networkRetries ?? 0));
  const retryDelayMs = opts.networkRetryDelayMs ?? DEFAULT_NETWORK_RETRY_DELAY_MS;
  const store = opts.logStore ?? new StepLogStore();
  const abort = new JobAbort(opts.signal, opts.timeoutMs);
  const ephemeral: string[] = [];
  const deferred: Promise<unknown>[] = [];
  const steps: StepResult[] = [];
  // Cached steps this build uses or saves, kept from the pruner until the build ends.
  const leases: (() => void)[] = [];
  let sinkError: unknown;
  const emit = (text: string): void => {
    if (text === '') return;
    try {
      opts.onLog(text);
    } catch (e) {
      sinkError ??= e;
    }
  };

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
    let config: StepConfig = { env: new Map(), workdir: '/' };
    emit(stampLine(`${config.workdir}: (from ${spec.from})`));
    let base: BaseImage;
    try {
      base = await resolveBaseImage(docker, spec.from, platform, abort.signal);
    } catch (e) {
      // A pull cut short by a cancel or the timeout is that, not an unavailable image.
      if (abort.signal.aborted) return interrupted();
      throw e;
    }
    config = { ...config, workdir: base.workdir };
    let parentKey = base.id;
    let parentImage = base.id;
    // Every step so far came from the cache: what "cached" means for config steps.
    let allCached = useCache;
    const lastMaterial = spec.steps.findLastIndex((s) => !isConfigStep(s));

    for (const [index, step] of spec.steps.entries()) {
      if (abort.signal.aborted) return interrupted();
      const t0 = performance.now();
      const header = stepHeader(config.workdir, step);
      const record = (key: string, cached: boolean, retries = 0): void => {
        steps.push({
          index,
          op: step.op,
          cached,
          key,
          durationMs: Math.round(performance.now() - t0),
          ...(retries > 0 ? { networkRetries: retries } : {}),
        });
      };

      if (isConfigStep(step)) {
        // Only configuration for later containers: folded into the key, no image of its own (on the
        // vfs driver that would cost two full copies of the root filesystem). A marker log records
        // that the key was reached, so a later job can tell it apart from a new one.
        const key = stepKey(parentKey, hashedStep(step));
        const cached = allCached && (await store.has(key));
        emit(stampLine(cached ? `${header} [cached]` : header));
        if (cached) await store.touch(key);
        else if (useCache) await (await store.writer(key)).commit();
        config = applyConfigStep(config, step);
        parentKey = key;
        allCached &&= cached;
        record(key, cached);
        continue;
      }

      const owner = config.user ?? numericUser(base.user);
      let entries: readonly CopyEntry[] = [];
      let dstDir = '';
      let planError: CopySourceError | undefined;
      if (step.op === 'copy') {
        dstDir = posix.resolve(config.workdir, step.dst);
        try {
          entries = await planCopy(opts.sourceDir, step.src, dstDir, step.exclude);
        } catch (e) {
          if (!(e instanceof CopySourceError)) throw e;
          planError = e;
        }
      }
      const key = stepKey(
        parentKey,
        hashedStep(step, step.op === 'copy' ? { manifest: manifestOf(entries), ...owner } : undefined),
      );

      if (useCache && planError === undefined) leases.push(await leaseStep(key));
      const hit = useCache && planError === undefined ? await lookupStep(docker, key) : undefined;
      if (hit !== undefined) {
        emit(stampLine(`${header} [cached]`));
        if (!(await store.replay(key, emit))) {
          const note = stampLine('(the log of this cached step was not kept)');
          emit(note);
          // The log file's mtime is the step's last use, for the pruner: record this one.
          await store
            .writer(key)
            .then(async (w) => {
              w.write(note);
              await w.commit();
            })
            .catch(() => undefined);
        }
        emit(stampLine(`---> using "${key}" from cache`));
        parentKey = key;
        parentImage = hit;
        record(key, true);
        continue;
      }
      allCached = false;
      emit(stampLine(header));
      if (planError !== undefined) {
        emit(stampLine(planError.message));
        record(key, false);
        return finish({ status: 'failed', failedStep: index }, `Job failed: ${nth(index)} (copy): ${planError.message}`);
      }

      // The step's log for the cache: only the attempt that succeeds is kept.
      let writer: StepLogWriter | undefined = useCache ? await store.writer(key) : undefined;
      const prefixer = new LinePrefixer();
      let tail = new OutputTail();
      const output = (text: string): void => {
        tail.push(text);
        const stamped = prefixer.push(text);
        emit(stamped);
        writer?.write(stamped);
      };
      const ctx: StepContext = {
        docker,
        pool: opts.pool,
        platform,
        jobId: opts.jobId,
        ...(opts.runnerId ? { labels: { [RUNNER_LABEL]: opts.runnerId } } : {}),
        index,
        base,
        parentImage,
        parentKey,
        key,
        config,
        owner,
        limits: opts.limits,
        cachePrefix: opts.cachePrefix,
        signal: abort.signal,
        tag: useCache,
        commit: useCache || index < lastMaterial,
        output,
        defer: (p) => deferred.push(p),
      };
      // A run step that may use the network is run again when a download flaked; a failed
      // attempt commits nothing, so the next one starts from the same parent image.
      const maxAttempts = step.op === 'run' && step.network ? 1 + networkRetries : 1;
      let attempt = 1;
      let outcome: StepOutcome;
      for (;;) {
        try {
          outcome = step.op === 'run' ? await executeRun(ctx, step) : await executeCopy(ctx, dstDir, entries);
        } catch (e) {
          await writer?.discard();
          throw e;
        }
        const rest = prefixer.flush();
        emit(rest);
        writer?.write(rest);
        if (outcome.kind !== 'failed' || outcome.oomKilled === true || attempt >= maxAttempts || abort.signal.aborted) break;
        const failure = findTransientFailure(tail.toString());
        if (failure === undefined) break;
        attempt++;
        emit(
          stampLine(
            `[cid] retrying step ${index + 1} ${shortStep(step)} after a network failure: ${failure.line}, attempt ${attempt} of ${maxAttempts}`,
          ),
        );
        opts.onNetworkRetry?.({ index, attempt, maxAttempts, failure });
        await writer?.discard();
        writer = useCache ? await store.writer(key) : undefined;
        tail = new OutputTail();
        if (!(await pause(retryDelayMs * 2 ** (attempt - 2), abort.signal))) {
          outcome = { kind: 'aborted' };
          break;
        }
      }
      record(key, false, attempt - 1);

      if (outcome.kind === 'aborted') {
        await writer?.discard();
        return interrupted(index);
      }
      if (outcome.kind === 'failed') {
        // Failed steps are never cached: the next job runs them again.
        await writer?.discard();
        emit(stampLine(`${step.op} step ${outcome.message}`));
        const error = firstError(tail.toString());
        return finish(
          {
            status: 'failed',
            failedStep: index,
            ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
            ...(error === undefined ? {} : { error }),
          },
          `Job failed: ${nth(index)} (${step.op}) ${outcome.message}`,
        );
      }
      if (outcome.unchanged && useCache) await tagStep(docker, parentImage, key);
      await writer?.commit();
      if (outcome.imageId !== undefined) {
        if (!useCache) ephemeral.push(outcome.imageId);
        parentImage = outcome.imageId;
      }
      if (useCache) emit(stampLine(`---> saved as "${key}"`));
      parentKey = key;
    }
    return finish({ status: 'passed' }, 'Job succeeded');
  } finally {
    abort.dispose();
    await Promise.allSettled(deferred);
    for (const release of leases) release();
    // Uncached intermediate images, newest first (a parent cannot go before its children).
    for (const id of ephemeral.reverse()) await docker.getImage(id).remove({ noprune: false }).catch(() => undefined);
    if (sinkError !== undefined) {
      throw new LogSinkError('the onLog callback threw; the log of this job is incomplete', { cause: sinkError });
    }
  }
}
