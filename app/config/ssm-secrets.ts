import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../../lib/errors/index.ts';

/**
 * SSM parameter (under CID_SSM_PATH, e.g. /cid/prod) → the environment variable it fills.
 * Secrets live only in Parameter Store: the deploy template carries the path, never a value.
 * APP_ID, GHE_HOST and CID_PUBLIC_URL are not secret but belong to the App set-up, so they may
 * be kept beside the secrets.
 */
export const SSM_PARAMETERS: Readonly<Record<string, string>> = {
  'app-id': 'APP_ID',
  'private-key': 'PRIVATE_KEY',
  'webhook-secret': 'WEBHOOK_SECRET',
  'admin-token': 'CID_ADMIN_TOKEN',
  'runner-secret': 'CID_RUNNER_SECRET',
  'metrics-token': 'CID_METRICS_TOKEN',
  'slack-webhook-url': 'CID_SLACK_WEBHOOK_URL',
  'ghe-host': 'GHE_HOST',
  'public-url': 'CID_PUBLIC_URL',
  // Web UI sign-in with GitHub (the App's OAuth client) and its session cookies.
  'github-client-id': 'GITHUB_CLIENT_ID',
  'github-client-secret': 'GITHUB_CLIENT_SECRET',
  'session-secret': 'CID_SESSION_SECRET',
};
/** GetParameters takes at most 10 names a call. */
const BATCH = 10;

export type SsmLike = Pick<SSMClient, 'send'>;

/**
 * Returns `env` with the values found under `env.CID_SSM_PATH` filled in (GetParameters at cold
 * start, ten names a call, SecureStrings decrypted). Parameter Store wins over the environment, since the
 * template only holds defaults. Without CID_SSM_PATH, `env` is returned as it is (local runs).
 * Missing parameters are left unset: loadConfig says what the App still lacks.
 */
export async function withSsmSecrets(env: NodeJS.ProcessEnv, client?: SsmLike): Promise<NodeJS.ProcessEnv> {
  const path = env.CID_SSM_PATH?.replace(/\/+$/, '');
  if (!path) return env;
  if (!/^\/[A-Za-z0-9_.\-/]+$/.test(path)) throw new ConfigError(`CID_SSM_PATH: "${path}" is not an SSM parameter path like /cid/prod`);
  const ssm = client ?? new SSMClient({ region: env.AWS_REGION });
  const names = Object.keys(SSM_PARAMETERS).map((n) => `${path}/${n}`);
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += BATCH) batches.push(names.slice(i, i + BATCH));
  let found;
  try {
    const outs = await Promise.all(batches.map((Names) => ssm.send(new GetParametersCommand({ Names, WithDecryption: true }))));
    found = outs.flatMap((o) => o.Parameters ?? []);
  } catch (err) {
    throw new ConfigError(`CID_SSM_PATH: cannot read parameters under ${path} (${(err as Error).message})`);
  }
  const filled: NodeJS.ProcessEnv = { ...env };
  for (const p of found) {
    const variable = p.Name ? SSM_PARAMETERS[p.Name.slice(path.length + 1)] : undefined;
    if (variable && p.Value !== undefined) filled[variable] = p.Value;
  }
  return filled;
}
