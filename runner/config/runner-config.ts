import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { HEARTBEAT_DEFAULTS, MIN_BEATS_BEFORE_STALE, PoolSchema, poolForArch, type Pool } from '../../lib/contract/index.ts';
import { loadConfig, type Config } from '../../app/config/index.ts';
import { ConfigError } from '../../lib/errors/index.ts';
import { parseByteSize } from './byte-size.ts';
import { NO_NEW_PRIVILEGES_DEFAULT } from '../docker/container-config.ts';
import { stepLogDirOf } from '../docker/log-store.ts';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const positiveInt = z.coerce.number().int().positive();
const byteSize = z.coerce.string().transform((v, ctx) => {
  const n = parseByteSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (say 50GiB, 500MB, or 0 for no limit)` });
    return z.NEVER;
  }
  return n;
});

/** The runner's own settings; the store and queue settings are the app's (CID_BACKEND, CID_STAGE, …). */
export const RunnerEnvSchema = z.object({
  CID_RUNNER_POOL: z.preprocess(emptyToUndefined, PoolSchema.optional()),
  CID_RUNNER_CONCURRENCY: positiveInt.default(1),
  /** "<runner id>.<signature>", issued by the control plane's operator (see docs/deploy.md). */
  CID_RUNNER_TOKEN: z.preprocess(emptyToUndefined, z.string().min(3).optional()),
  CID_RUNNER_ID: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/).optional()),
  /** The control plane, for job tokens (GitHub sources and check runs). */
  CID_API_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  CID_JOB_MEMORY_MB: positiveInt.default(4096),
  CID_JOB_CPUS: z.coerce.number().positive().default(2),
  CID_JOB_PIDS: positiveInt.default(4096),
  CID_JOB_LOG_CAP_MB: positiveInt.default(50),
  /** Why it is off by default: see NO_NEW_PRIVILEGES_DEFAULT (sudo in ocaml/opam images). */
  CID_JOB_NO_NEW_PRIVILEGES: z
    .enum(['true', 'false'])
    .default(NO_NEW_PRIVILEGES_DEFAULT ? 'true' : 'false')
    .transform((v) => v === 'true'),
  CID_RUNNER_HEARTBEAT_SECONDS: z.coerce.number().positive().default(HEARTBEAT_DEFAULTS.heartbeatSeconds),
  /** Also the control plane's default CID_SWEEP_STALE_RUNNING_SECONDS (app/config). */
  CID_RUNNER_STALE_SECONDS: z.coerce.number().positive().default(HEARTBEAT_DEFAULTS.staleSeconds),
  CID_RUNNER_VISIBILITY_SECONDS: positiveInt.default(120),
  /** SQS long-poll time when both queues are empty; a stopping runner waits at most this long for its polls. */
  CID_RUNNER_POLL_SECONDS: z.coerce.number().int().min(1).max(20).default(20),
  CID_RUNNER_GRACE_SECONDS: z.coerce.number().nonnegative().default(300),
  CID_RUNNER_WORK_DIR: z.string().min(1).default(join(tmpdir(), 'cid-runner')),
  CID_CACHE_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/).default('cid'),
  /** Logs of cached steps, replayed on hits; default: $XDG_CACHE_HOME/cid/step-logs (see stepLogDir). */
  CID_STEP_LOG_DIR: z.preprocess(emptyToUndefined, z.string().startsWith('/', 'an absolute path').optional()),
  /** The image repository step results are tagged in: a runner (or a test run) may have its own. */
  CID_CACHE_REPO: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, 'an image repository name: lowercase letters, digits and ._/- (say cid-cache)').default('cid-cache'),
  ),
  CID_METRICS_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  /** Step cache budget (CID_CACHE_REPO's images), least recently used steps pruned first; 0: none. */
  CID_RUNNER_CACHE_MAX_BYTES: z.preprocess(emptyToUndefined, byteSize.default(50 * 1024 ** 3)),
  /** Cached steps unused for this long are pruned; 0: no age limit. */
  CID_RUNNER_CACHE_MAX_AGE_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().nonnegative().default(30)),
  /** How often the cache is pruned (and at start); 0: never (prune by other means). */
  CID_RUNNER_CACHE_PRUNE_INTERVAL_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().nonnegative().default(600)),
  /** Commits whose source tree the runner keeps for their other jobs; 0: every job fetches its own. */
  CID_RUNNER_SOURCE_CACHE_ENTRIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(10_000).default(16)),
  /** Disk the kept source trees may take, least recently used removed first; 0: no byte bound. */
  CID_RUNNER_SOURCE_CACHE_MAX_BYTES: z.preprocess(emptyToUndefined, byteSize.default(2 * 1024 ** 3)),
  /** Runs again of a networked step that failed on a known transient network error; 0: off. */
  /** Where the (analysis) job reads the pinned opam-repository's OCaml releases from; "none": cid's built-in list. */
  CID_OPAM_REPO_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(?:none|https?:\/\/\S+|file:\/\/\/\S+|\/\S*)$/, 'must be an https:// or file:// URL, an absolute path, or "none"')
      .default('https://github.com/ocaml/opam-repository.git'),
  ),
  CID_RUNNER_NETWORK_RETRIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(10).default(2)),
});

export interface RunnerConfig {
  app: Config;
  pool: Pool;
  runnerId: string;
  token?: string;
  apiUrl: string;
  concurrency: number;
  limits: { memoryBytes: number; nanoCpus: number; pidsLimit: number; noNewPrivileges: boolean };
  logCapBytes: number;
  heartbeatMs: number;
  staleMs: number;
  visibilitySeconds: number;
  graceMs: number;
  pollSeconds: number;
  workDir: string;
  cachePrefix: string;
  /** CID_CACHE_REPO: where step results are tagged (runner/docker/step-cache.ts). */
  cacheRepo: string;
  /** CID_STEP_LOG_DIR, else under XDG_CACHE_HOME or ~/.cache: the logs of cached steps. */
  stepLogDir: string;
  /** Step cache pruning: 0 means no limit (bytes, age) or never (interval). */
  cache: { maxBytes: number; maxAgeMs: number; pruneIntervalMs: number };
  /** Source trees kept per commit for the commit's other jobs (runner/source/source-cache.ts); 0 entries: off. */
  sourceCache: { maxEntries: number; maxBytes: number };
  /** Retries of a networked `run` step after a transient network failure (0: none). */
  networkRetries: number;
  /** CID_OPAM_REPO_URL: the opam-repository the default catalogue's OCaml releases are read from, or "none". */
  opamRepoUrl: string;
  metricsPort?: number;
}

export interface RunnerFlags {
  pool?: string;
  concurrency?: number;
  metricsPort?: number;
}

/** Reads the environment (and command-line flags, which win) once; a bad value names the variable. */
export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env, flags: RunnerFlags = {}): RunnerConfig {
  const app = loadConfig(env);
  const parsed = RunnerEnvSchema.safeParse({
    ...env,
    ...(flags.pool !== undefined ? { CID_RUNNER_POOL: flags.pool } : {}),
    ...(flags.concurrency !== undefined ? { CID_RUNNER_CONCURRENCY: flags.concurrency } : {}),
    ...(flags.metricsPort !== undefined ? { CID_METRICS_PORT: flags.metricsPort } : {}),
  });
  if (!parsed.success) {
    const flagOf: Record<string, string> = { CID_RUNNER_POOL: '--pool', CID_RUNNER_CONCURRENCY: '--concurrency', CID_METRICS_PORT: '--metrics-port' };
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return `${key}${flagOf[key] ? ` (${flagOf[key]})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid runner configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const pool = e.CID_RUNNER_POOL ?? poolForArch(process.arch);
  if (!pool) throw new ConfigError(`CID_RUNNER_POOL (--pool): this machine's architecture (${process.arch}) has no default pool; name one`);
  const tokenId = e.CID_RUNNER_TOKEN ? e.CID_RUNNER_TOKEN.slice(0, e.CID_RUNNER_TOKEN.lastIndexOf('.')) : undefined;
  if (e.CID_RUNNER_ID && tokenId && e.CID_RUNNER_ID !== tokenId) {
    throw new ConfigError(`CID_RUNNER_ID (${e.CID_RUNNER_ID}) differs from the id in CID_RUNNER_TOKEN (${tokenId})`);
  }
  if (e.CID_RUNNER_STALE_SECONDS < MIN_BEATS_BEFORE_STALE * e.CID_RUNNER_HEARTBEAT_SECONDS) {
    throw new ConfigError(
      `CID_RUNNER_STALE_SECONDS (${e.CID_RUNNER_STALE_SECONDS}) must be at least ${MIN_BEATS_BEFORE_STALE} heartbeats (CID_RUNNER_HEARTBEAT_SECONDS=${e.CID_RUNNER_HEARTBEAT_SECONDS}): a late beat would lose live jobs`,
    );
  }
  // The embedded backend of a separately started runner is the one `npm start` serves on fixed ports.
  const embedded = app.backend === 'embedded';
  return {
    app: {
      ...app,
      dynamoEndpoint: app.dynamoEndpoint ?? (embedded ? `http://127.0.0.1:${app.localDynamoPort}` : undefined),
      sqsEndpoint: app.sqsEndpoint ?? (embedded ? `http://127.0.0.1:${app.localSqsPort}` : undefined),
    },
    pool,
    runnerId: e.CID_RUNNER_ID ?? tokenId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${process.pid}`,
    ...(e.CID_RUNNER_TOKEN ? { token: e.CID_RUNNER_TOKEN } : {}),
    apiUrl: (e.CID_API_URL ?? `http://127.0.0.1:${app.port}`).replace(/\/$/, ''),
    concurrency: e.CID_RUNNER_CONCURRENCY,
    limits: {
      memoryBytes: e.CID_JOB_MEMORY_MB * 1024 * 1024,
      nanoCpus: Math.round(e.CID_JOB_CPUS * 1e9),
      pidsLimit: e.CID_JOB_PIDS,
      noNewPrivileges: e.CID_JOB_NO_NEW_PRIVILEGES,
    },
    logCapBytes: e.CID_JOB_LOG_CAP_MB * 1024 * 1024,
    heartbeatMs: e.CID_RUNNER_HEARTBEAT_SECONDS * 1000,
    staleMs: e.CID_RUNNER_STALE_SECONDS * 1000,
    visibilitySeconds: e.CID_RUNNER_VISIBILITY_SECONDS,
    graceMs: e.CID_RUNNER_GRACE_SECONDS * 1000,
    pollSeconds: e.CID_RUNNER_POLL_SECONDS,
    workDir: e.CID_RUNNER_WORK_DIR,
    cachePrefix: e.CID_CACHE_PREFIX,
    cacheRepo: e.CID_CACHE_REPO,
    stepLogDir: stepLogDirOf({ CID_STEP_LOG_DIR: e.CID_STEP_LOG_DIR, XDG_CACHE_HOME: env.XDG_CACHE_HOME }),
    cache: {
      maxBytes: e.CID_RUNNER_CACHE_MAX_BYTES,
      maxAgeMs: e.CID_RUNNER_CACHE_MAX_AGE_DAYS * 24 * 3600 * 1000,
      pruneIntervalMs: e.CID_RUNNER_CACHE_PRUNE_INTERVAL_SECONDS * 1000,
    },
    sourceCache: { maxEntries: e.CID_RUNNER_SOURCE_CACHE_ENTRIES, maxBytes: e.CID_RUNNER_SOURCE_CACHE_MAX_BYTES },
    networkRetries: e.CID_RUNNER_NETWORK_RETRIES,
    opamRepoUrl: e.CID_OPAM_REPO_URL,
    ...(e.CID_METRICS_PORT !== undefined ? { metricsPort: e.CID_METRICS_PORT } : {}),
  };
}
