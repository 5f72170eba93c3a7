import Docker from 'dockerode';
import type { Logger } from 'pino';
import { bootstrapToken } from '../app/runner-api/index.ts';
import { PoolSchema, poolForArch, type Pool } from '../lib/contract/index.ts';
import type { ControlPlane } from './start-control-plane.ts';
import { loadRunnerConfig } from '../runner/config/index.ts';
import { startRunner, type StartedRunner } from '../runner/worker/index.ts';

export const LOCAL_RUNNER_ID = 'local';

/**
 * The settings that attach a runner to a control plane running in this process: its DynamoDB
 * and SQS endpoints, its runner API, and, derived from `secret`, its pool's bootstrap token
 * (CID_RUNNER_BOOTSTRAP_TOKEN, to register).
 */
export function attachedRunnerEnv(
  cp: Pick<ControlPlane, 'config' | 'url'>,
  id: string,
  secret: string | undefined,
  pool: Pool | undefined = poolForArch(process.arch),
): Record<string, string> {
  return {
    DYNAMODB_ENDPOINT: cp.config.dynamoEndpoint ?? '',
    SQS_ENDPOINT: cp.config.sqsEndpoint ?? '',
    CID_API_URL: cp.url,
    CID_RUNNER_ID: id,
    ...(secret && pool ? { CID_RUNNER_BOOTSTRAP_TOKEN: bootstrapToken(secret, pool) } : {}),
  };
}

/**
 * The runner `npm start` brings up next to the control plane when a Docker engine answers. Without
 * one it says so and returns undefined; everything else keeps running and jobs wait in the queue.
 */
export async function startLocalRunner(cp: ControlPlane, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<{ runner?: StartedRunner; why?: string }> {
  if (!cp.config.localRunner) return { why: 'disabled (CID_LOCAL_RUNNER=false)' };
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    const why = `no Docker engine answers (${(err as Error).message}); builds wait in the queue until a runner starts (run infra/bootstrap.sh as root, or cid-runner elsewhere)`;
    log.warn(why);
    return { why };
  }
  const config = loadRunnerConfig({
    ...env,
    ...attachedRunnerEnv(cp, LOCAL_RUNNER_ID, cp.config.runnerSecret, PoolSchema.optional().parse(env.CID_RUNNER_POOL || undefined) ?? poolForArch(process.arch)),
    // Ctrl-C should not wait on a 20 s long poll or a 5-minute grace period on a developer's machine.
    CID_RUNNER_POLL_SECONDS: env.CID_RUNNER_POLL_SECONDS ?? '2',
    CID_RUNNER_GRACE_SECONDS: env.CID_RUNNER_GRACE_SECONDS ?? '5',
  });
  const runner = await startRunner(config, log.child({ name: 'cid-runner' }), { docker });
  log.info({ pool: config.pool, concurrency: config.concurrency }, 'local runner started');
  return { runner };
}
