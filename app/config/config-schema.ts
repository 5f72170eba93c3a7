import { z } from 'zod';
import { HEARTBEAT_DEFAULTS } from '../../lib/contract/heartbeat.ts';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const port = z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535));
const seconds = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every setting cid reads from the environment. App settings use probot's names
 * (APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL, LOG_LEVEL).
 */
export const EnvSchema = z.object({
  /** `embedded` runs dynalite and fauxqs in-process; `aws` talks to DynamoDB and SQS. */
  CID_BACKEND: z.enum(['embedded', 'aws']).default('embedded'),
  CID_DATA_DIR: z.string().min(1).default('.cid'),
  CID_STAGE: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and "-"').default('local'),
  CID_TABLE_PREFIX: optionalString,
  CID_QUEUE_PREFIX: optionalString,
  AWS_REGION: z.string().min(1).default('us-east-1'),
  DYNAMODB_ENDPOINT: z.preprocess(emptyToUndefined, z.string().url().optional()),
  SQS_ENDPOINT: z.preprocess(emptyToUndefined, z.string().url().optional()),

  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Base URL of the web UI, used in check runs' details_url. */
  CID_PUBLIC_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),

  APP_ID: z.preprocess(emptyToUndefined, z.coerce.number().int().positive().optional()),
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  GHE_HOST: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'a host name, optionally with :port').optional()),
  GHE_PROTOCOL: z.enum(['https', 'http']).default('https'),

  /** Bearer token for the admin API; without it the admin API answers 503. */
  CID_ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),
  /** Key from which each runner's own credential is derived (HMAC of its id). */
  CID_RUNNER_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),
  /** Bearer token for GET /metrics; without it /metrics is open (fine on loopback, not on the internet). */
  CID_METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),

  /** Queued jobs unclaimed for this long are re-enqueued by the sweeper. */
  CID_SWEEP_AFTER_SECONDS: seconds.default(300),
  CID_SWEEP_INTERVAL_SECONDS: seconds.default(60),
  /** Running jobs whose runner has been silent this long are re-queued; default: CID_RUNNER_STALE_SECONDS. */
  CID_SWEEP_STALE_RUNNING_SECONDS: z.preprocess(emptyToUndefined, seconds.optional()),
  /** The runners' staleness (runner/config): read here too, so the stale-running sweep follows it. */
  CID_RUNNER_STALE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().positive().default(HEARTBEAT_DEFAULTS.staleSeconds)),
  /** The runners' heartbeat period, told to each runner when it registers. */
  CID_RUNNER_HEARTBEAT_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().positive().default(HEARTBEAT_DEFAULTS.heartbeatSeconds)),
  /** Lifetime of a runner's credential (runner API); runners renew it before it ends. */
  CID_RUNNER_CREDENTIAL_HOURS: z.coerce.number().positive().max(24 * 7).default(12),
  /** Log chunks (≤ 64 KiB each) the runner API stores per run of a job: the control plane's log cap. */
  CID_JOB_LOG_MAX_CHUNKS: z.coerce.number().int().positive().default(20_000),
  CID_MAX_WEBHOOK_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  /** Platform catalogue: a preset name (`all`, `minimal`) or a YAML/JSON file. */
  CID_PLATFORMS: z.string().min(1).default('all'),
  /** The opam-repository commit builds reset to: reproducible, and cached until it is bumped. */
  CID_OPAM_REPO_COMMIT: z.string().regex(/^[0-9a-f]{7,40}$/, 'an opam-repository commit sha').default('97014be61691efb695da5de8e860cba5d74fa1f5'),
  /** Repositories analysed as opam repositories (opam-repo-ci) whatever their files say: comma-separated owner/repo. */
  CID_OPAM_REPOSITORIES: z
    .string()
    .default('ocaml/opam-repository')
    .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'each entry must be "owner/repo"'))),
  /** At most this many reverse dependencies get jobs per opam-repository PR (the rest are counted, not built). */
  CID_OPAM_MAX_REVDEPS: z.coerce.number().int().nonnegative().default(500),
  /** Slack incoming webhook for notifications (repositories opt in); without it nothing is sent. */
  CID_SLACK_WEBHOOK_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  /** Ports of the embedded DynamoDB and SQS, so a runner started on its own finds them. */
  CID_LOCAL_DYNAMODB_PORT: port.default(4567),
  CID_LOCAL_SQS_PORT: port.default(4566),
  /** Start a local runner with `npm start` when a Docker engine answers. */
  CID_LOCAL_RUNNER: bool.default(true),
  /** Key for the web UI's session cookies (sign-in, CSRF); without it nobody can sign in. */
  CID_SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'at least 32 characters').optional()),
  /** The GitHub App's OAuth client (probot's names), for signing in to the web UI. */
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  /** Where GitHub's /login/oauth/* endpoints live; default: the GitHub web URL (github.com or GHE_HOST). */
  CID_GITHUB_OAUTH_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;
