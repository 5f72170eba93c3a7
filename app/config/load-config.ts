import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { ConfigError } from '../../lib/errors/index.ts';
import { MIN_BEATS_BEFORE_STALE } from '../../lib/contract/heartbeat.ts';
import { EnvSchema, type Env } from './config-schema.ts';

export interface GitHubAppConfig {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** REST base URL: https://api.github.com, or <protocol>://<GHE_HOST>/api/v3. */
  baseUrl: string;
  /** Web base for links: https://github.com or the GHE host. */
  webUrl: string;
}

/** The web UI's sign-in: GitHub OAuth through the App, sessions in sealed cookies. */
export interface WebUiConfig {
  /** Undefined when CID_SESSION_SECRET is unset: sign-in is then disabled. */
  sessionSecret?: string;
  /** Undefined unless GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are both set. */
  oauth?: { clientId: string; clientSecret: string; authorizeUrl: string; tokenUrl: string };
  /** REST base for calls made with a user's token (who they are, their permission on a repo). */
  apiUrl: string;
  /** GitHub's web base, for links to repositories and commits. */
  webUrl: string;
}

export interface Config {
  env: Env;
  backend: Env['CID_BACKEND'];
  dataDir: string;
  tablePrefix: string;
  queuePrefix: string;
  region: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  port: number;
  host: string;
  publicUrl: string;
  /** Undefined when APP_ID, PRIVATE_KEY(_PATH) and WEBHOOK_SECRET are not all set. */
  github?: GitHubAppConfig;
  /** What is missing for GitHub, said as a sentence for the 503 answer. */
  githubMissing: string[];
  adminToken?: string;
  runnerSecret?: string;
  /** What the runner API tells runners and checks leases against. */
  runnerApi: { heartbeatSeconds: number; staleSeconds: number; credentialSeconds: number; maxLogChunks: number };
  sweepAfterSeconds: number;
  sweepIntervalSeconds: number;
  sweepStaleRunningSeconds: number;
  maxWebhookBytes: number;
  platforms: string;
  opamRepoCommit: string;
  /** Repositories configured as opam repositories ("owner/repo"). */
  opamRepositories: string[];
  opamMaxRevdeps: number;
  /** Slack incoming webhook; undefined: no Slack messages. */
  slackWebhookUrl?: string;
  localDynamoPort: number;
  localSqsPort: number;
  localRunner: boolean;
  logLevel: string;
  webUi: WebUiConfig;
}

/** Reads and validates the environment once; a bad value fails naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const env = parsed.data;

  let privateKey = env.PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(resolve(env.PRIVATE_KEY_PATH), 'utf8');
    } catch (err) {
      throw new ConfigError(`PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH} (${(err as Error).message})`);
    }
  }
  if (privateKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new ConfigError('PRIVATE_KEY: not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----")');
  }

  const githubMissing: string[] = [];
  if (env.APP_ID === undefined) githubMissing.push('APP_ID');
  if (!privateKey) githubMissing.push('PRIVATE_KEY or PRIVATE_KEY_PATH');
  if (!env.WEBHOOK_SECRET) githubMissing.push('WEBHOOK_SECRET');
  const baseUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : 'https://api.github.com';
  const webUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}` : 'https://github.com';
  const github =
    githubMissing.length === 0
      ? { appId: env.APP_ID as number, privateKey: privateKey as string, webhookSecret: env.WEBHOOK_SECRET as string, baseUrl, webUrl }
      : undefined;

  if (env.CID_RUNNER_STALE_SECONDS < MIN_BEATS_BEFORE_STALE * env.CID_RUNNER_HEARTBEAT_SECONDS) {
    throw new ConfigError(
      `CID_RUNNER_STALE_SECONDS (${env.CID_RUNNER_STALE_SECONDS}) must be at least ${MIN_BEATS_BEFORE_STALE} heartbeats (CID_RUNNER_HEARTBEAT_SECONDS=${env.CID_RUNNER_HEARTBEAT_SECONDS}): a late beat would lose live jobs`,
    );
  }

  const prefix = `cid-${env.CID_STAGE}`;
  return {
    env,
    backend: env.CID_BACKEND,
    dataDir: resolve(env.CID_DATA_DIR),
    tablePrefix: env.CID_TABLE_PREFIX ?? prefix,
    queuePrefix: env.CID_QUEUE_PREFIX ?? prefix,
    region: env.AWS_REGION,
    dynamoEndpoint: env.DYNAMODB_ENDPOINT,
    sqsEndpoint: env.SQS_ENDPOINT,
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.CID_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    github,
    githubMissing,
    adminToken: env.CID_ADMIN_TOKEN,
    runnerSecret: env.CID_RUNNER_SECRET,
    runnerApi: {
      heartbeatSeconds: env.CID_RUNNER_HEARTBEAT_SECONDS,
      staleSeconds: env.CID_RUNNER_STALE_SECONDS,
      credentialSeconds: Math.round(env.CID_RUNNER_CREDENTIAL_HOURS * 3600),
      maxLogChunks: env.CID_JOB_LOG_MAX_CHUNKS,
    },
    sweepAfterSeconds: env.CID_SWEEP_AFTER_SECONDS,
    sweepIntervalSeconds: env.CID_SWEEP_INTERVAL_SECONDS,
    // A job is dead when its heartbeat is stale for the runners: no reason for the sweep to wait longer.
    sweepStaleRunningSeconds: env.CID_SWEEP_STALE_RUNNING_SECONDS ?? env.CID_RUNNER_STALE_SECONDS,
    maxWebhookBytes: env.CID_MAX_WEBHOOK_BYTES,
    platforms: env.CID_PLATFORMS,
    opamRepoCommit: env.CID_OPAM_REPO_COMMIT,
    opamRepositories: env.CID_OPAM_REPOSITORIES,
    opamMaxRevdeps: env.CID_OPAM_MAX_REVDEPS,
    ...(env.CID_SLACK_WEBHOOK_URL ? { slackWebhookUrl: env.CID_SLACK_WEBHOOK_URL } : {}),
    localDynamoPort: env.CID_LOCAL_DYNAMODB_PORT,
    localSqsPort: env.CID_LOCAL_SQS_PORT,
    localRunner: env.CID_LOCAL_RUNNER,
    logLevel: env.LOG_LEVEL,
    webUi: webUiConfig(env, baseUrl, webUrl),
  };
}

function webUiConfig(env: Env, apiUrl: string, webUrl: string): WebUiConfig {
  const oauthBase = (env.CID_GITHUB_OAUTH_URL ?? webUrl).replace(/\/$/, '');
  const oauth =
    env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
      ? {
          clientId: env.GITHUB_CLIENT_ID,
          clientSecret: env.GITHUB_CLIENT_SECRET,
          authorizeUrl: `${oauthBase}/login/oauth/authorize`,
          tokenUrl: `${oauthBase}/login/oauth/access_token`,
        }
      : undefined;
  return { ...(env.CID_SESSION_SECRET ? { sessionSecret: env.CID_SESSION_SECRET } : {}), ...(oauth ? { oauth } : {}), apiUrl, webUrl };
}
