// The stack of one cid local run: the control plane with dynalite and fauxqs in memory (a run
// leaves nothing on disk, and never meets `npm start`'s data or ports: theirs are free ports),
// and one runner per pool this machine serves, on the local Docker engine.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { loadConfig } from '../../app/config/index.ts';
import { startControlPlane, type ControlPlane } from '../start-control-plane.ts';
import { attachedRunnerEnv } from '../local-runner.ts';
import { loadRunnerConfig } from '../../runner/config/index.ts';
import { startRunner, type StartedRunner } from '../../runner/worker/index.ts';
import type { PoolPlan } from './local-pools.ts';

/** Settings of the user's environment that would point this run at someone else's stack. */
const NOT_INHERITED = [
  'CID_BACKEND',
  'DYNAMODB_ENDPOINT',
  'SQS_ENDPOINT',
  'CID_TABLE_PREFIX',
  'CID_QUEUE_PREFIX',
  'CID_SSM_PATH',
  'CID_PUBLIC_URL',
  'CID_DATA_DIR',
  'CID_RUNNER_POOL',
  'CID_RUNNER_ID',
  'CID_RUNNER_BOOTSTRAP_TOKEN',
  'CID_API_URL',
  'CID_METRICS_PORT',
];

export interface LocalStackOptions {
  env: NodeJS.ProcessEnv;
  /** 0: any free port. */
  port: number;
  /** A preset name or an absolute catalogue path. */
  platforms: string;
  plan: PoolPlan;
  /** Jobs at once on the host's runner; emulated pools run one at a time. */
  concurrency: number;
  docker: Docker;
  log: Logger;
  /** Called as soon as the control plane is up, so a stop during the rest of the start-up finds it. */
  onControlPlane?: (cp: ControlPlane) => void;
}

export interface LocalStack {
  cp: ControlPlane;
  runners: StartedRunner[];
  /** Stops the runners: running jobs get `graceMs` to end, then their containers are killed. */
  stopRunners(graceMs: number): Promise<void>;
  /** Stops the runners (if still running, at once) and the control plane. */
  stop(): Promise<void>;
}

/** The environment this run's control plane and runners read. */
export function localEnv(parent: NodeJS.ProcessEnv, o: { port: number; platforms: string; secret: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const k of NOT_INHERITED) delete env[k];
  return {
    ...env,
    CID_BACKEND: 'embedded',
    CID_STAGE: 'local',
    PORT: String(o.port),
    HOST: '127.0.0.1',
    CID_PLATFORMS: o.platforms,
    CID_RUNNER_SECRET: o.secret,
    // One machine, its own in-memory store: a beat a second costs nothing, and Ctrl-C or a cancel
    // then stops the containers within a second (runners learn the period when they register).
    CID_RUNNER_HEARTBEAT_SECONDS: '1',
    CID_RUNNER_STALE_SECONDS: '5',
  };
}

export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const secret = randomBytes(24).toString('hex');
  const env = localEnv(o.env, { port: o.port, platforms: o.platforms, secret });
  const cp = await startControlPlane(loadConfig(env), { log: o.log, inMemory: true, consumeEvents: false });
  o.onControlPlane?.(cp);
  const runners: StartedRunner[] = [];
  let runnersStopped: Promise<void> | undefined;
  const stopRunners = (graceMs: number) =>
    (runnersStopped ??= Promise.allSettled(runners.map((r) => r.stop(graceMs))).then(() => undefined));
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopRunners(0).then(() => cp.stop()));
  try {
    for (const { pool, emulated } of o.plan.runners) {
      const id = `local-${pool}`;
      const config = loadRunnerConfig({
        ...env,
        ...attachedRunnerEnv(cp, id, secret, pool),
        CID_RUNNER_POOL: pool,
        CID_RUNNER_CONCURRENCY: String(emulated ? 1 : o.concurrency),
        // A local run should notice new jobs and Ctrl-C at once, not after a 20 s long poll.
        CID_RUNNER_POLL_SECONDS: env.CID_RUNNER_POLL_SECONDS ?? '1',
        CID_RUNNER_GRACE_SECONDS: env.CID_RUNNER_GRACE_SECONDS ?? '5',
      });
      runners.push(await startRunner(config, o.log.child({ name: 'cid-runner', pool }), { docker: o.docker }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { cp, runners, stopRunners, stop };
}
