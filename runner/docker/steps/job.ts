import type Docker from 'dockerode';
import type { Pool } from '../../../lib/contract/index.ts';
import { numericUser } from '../base-image.ts';
import type { BaseImage } from '../base-image.ts';
import type { StepCache } from '../cached-build.ts';
import type { ResourceLimits, StepConfig } from '../container-config.ts';
import type { NetworkRetry } from '../network-retry.ts';
import type { StepContext } from '../step-context.ts';

/** What every step of one job shares. */
export interface Job {
  docker: Docker;
  pool: Pool;
  platform: string;
  jobId: string;
  /** Labels on the job's containers (the runner's id). */
  labels?: Record<string, string>;
  base: BaseImage;
  sourceDir: string;
  limits: ResourceLimits;
  cachePrefix: string;
  /** Cancel and timeout, as one. */
  signal: AbortSignal;
  cache: StepCache;
  /** The job log. */
  emit: (text: string) => void;
  /** The last step that makes an image: with the cache off, its result is never committed. */
  lastMaterial: number;
  networkRetries: number;
  networkRetryDelayMs: number;
  onNetworkRetry?: (retry: NetworkRetry) => void;
  /** Work left to finish before the job returns (container removal). */
  defer: (p: Promise<unknown>) => void;
}

/** Where the job is after its steps so far. */
export interface JobState {
  /** Env, workdir and user for the next containers. */
  config: StepConfig;
  parentKey: string;
  parentImage: string;
  /** Every step so far came from the cache: what "cached" means for config steps. */
  allCached: boolean;
}

/** How a step ended, for the job. */
export type StepEnd =
  | { kind: 'ok'; key: string; cached: boolean; retries?: number; state: JobState }
  /** `summary` follows "Job failed: step N/M ". */
  | { kind: 'failed'; key: string; retries?: number; summary: string; exitCode?: number; error?: string }
  | { kind: 'aborted'; key: string; retries?: number };

/** Who owns copied files and fresh cache volumes: the `user` step's, else the image's numeric user. */
export const ownerOf = (job: Job, config: StepConfig): { uid: number; gid: number } => config.user ?? numericUser(job.base.user);

/** What run-step.ts and copy-step.ts need to run step `index` as `key` on the job's current state. */
export function stepContext(job: Job, state: JobState, index: number, key: string, output: (text: string) => void): StepContext {
  return {
    docker: job.docker,
    pool: job.pool,
    platform: job.platform,
    jobId: job.jobId,
    ...(job.labels ? { labels: job.labels } : {}),
    index,
    base: job.base,
    parentImage: state.parentImage,
    parentKey: state.parentKey,
    key,
    config: state.config,
    owner: ownerOf(job, state.config),
    limits: job.limits,
    cachePrefix: job.cachePrefix,
    signal: job.signal,
    tag: job.cache.enabled,
    commit: job.cache.enabled || index < job.lastMaterial,
    output,
    defer: job.defer,
  };
}
