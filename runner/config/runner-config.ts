import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { PoolSchema, RunnerIdSchema, poolForArch, type Pool } from '../../lib/contract/index.ts';
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

const port = z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535));

/**
 * The runner's settings, all of them: a runner reaches the control plane only through its API
 * (CID_API_URL) and its pool's two queues (whose URLs `register` answers), so it needs no store or
 * app settings. AWS_REGION, SQS_ENDPOINT, LOG_LEVEL and CID_BACKEND are named as the app names them.
 */
export const RunnerEnvSchema = z.object({
  /** "embedded": the queues are the local stack's (`npm start`), on CID_LOCAL_SQS_PORT unless SQS_ENDPOINT says. */
  CID_BACKEND: z.enum(['embedded', 'aws']).default('embedded'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  SQS_ENDPOINT: z.preprocess(emptyToUndefined, z.string().url().optional()),
  CID_LOCAL_SQS_PORT: port.default(4566),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  CID_RUNNER_POOL: z.preprocess(emptyToUndefined, PoolSchema.optional()),
  CID_RUNNER_CONCURRENCY: positiveInt.default(1),
  /** The pool's bootstrap token: `register` trades it for this runner's own credential (see docs/deploy.md). */
  CID_RUNNER_BOOTSTRAP_TOKEN: z.preprocess(
    (v) => (v === undefined ? '' : v),
    z.string().min(16, 'required: the pool\'s bootstrap token (at least 16 characters), from the control plane\'s operator'),
  ),
  CID_RUNNER_ID: z.preprocess(emptyToUndefined, RunnerIdSchema.optional()),
  /** The control plane's runner API: claims, heartbeats, logs, results, job tokens. Default: the local stack's. */
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
  pool: Pool;
  runnerId: string;
  /** Only `register` sends it; every other call carries the credential register answers. */
  bootstrapToken: string;
  apiUrl: string;
  /** For the SQS client of the pool's queues. */
  aws: { region: string; sqsEndpoint?: string };
  logLevel: string;
  concurrency: number;
  limits: { memoryBytes: number; nanoCpus: number; pidsLimit: number; noNewPrivileges: boolean };
  logCapBytes: number;
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
  // The embedded backend of a separately started runner is the one `npm start` serves on fixed ports.
  const embedded = e.CID_BACKEND === 'embedded';
  if (!embedded && !e.CID_API_URL) throw new ConfigError('CID_API_URL: required with CID_BACKEND=aws (the control plane\'s URL)');
  const sqsEndpoint = e.SQS_ENDPOINT ?? (embedded ? `http://127.0.0.1:${e.CID_LOCAL_SQS_PORT}` : undefined);
  return {
    pool,
    runnerId: e.CID_RUNNER_ID ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 40) || 'runner'}-${process.pid}`,
    bootstrapToken: e.CID_RUNNER_BOOTSTRAP_TOKEN,
    apiUrl: (e.CID_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    aws: { region: e.AWS_REGION, ...(sqsEndpoint ? { sqsEndpoint } : {}) },
    logLevel: e.LOG_LEVEL,
    concurrency: e.CID_RUNNER_CONCURRENCY,
    limits: {
      memoryBytes: e.CID_JOB_MEMORY_MB * 1024 * 1024,
      nanoCpus: Math.round(e.CID_JOB_CPUS * 1e9),
      pidsLimit: e.CID_JOB_PIDS,
      noNewPrivileges: e.CID_JOB_NO_NEW_PRIVILEGES,
    },
    logCapBytes: e.CID_JOB_LOG_CAP_MB * 1024 * 1024,
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
