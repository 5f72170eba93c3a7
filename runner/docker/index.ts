// The runner's Docker executor: runs a BuildSpec in containers, with an OBuilder-like step cache.
export { executeBuild, LogSinkError } from './executor.ts';
export { DEFAULT_NETWORK_RETRY_DELAY_MS } from './executor.ts';
export type { BuildResult, BuildStatus, ExecuteBuildOptions, NetworkRetry, StepResult } from './executor.ts';
export { findTransientFailure, TAIL_LINES } from './transient-failure.ts';
export type { TransientFailure } from './transient-failure.ts';
export type { ResourceLimits } from './container-config.ts';
export { DROPPED_CAPABILITIES, NO_NEW_PRIVILEGES_DEFAULT } from './container-config.ts';
export { ExecutorError, ImageUnavailableError, CopySourceError } from './errors.ts';
export { lookupStep, cacheRef, leaseStep, CACHE_REPO, useCacheRepo } from './step-cache.ts';
export { pruneCache, cacheUsage } from './cache-prune.ts';
export type { CacheImage, CacheUsage, Eviction, PruneOptions, PruneResult } from './cache-prune.ts';
export { StepLogStore, defaultLogStoreDir, stepLogDirOf, useStepLogDir } from './log-store.ts';
export { stepKey, hashedStep, KEY_SCHEME } from './cache-key.ts';
export { cacheVolumeName } from './volumes.ts';
export { logTimestamp, TIMESTAMP_PREFIX } from './log-lines.ts';
export { describeStep } from './step-header.ts';
