// `cid-runner`: a long-running process that takes jobs of one pool and builds them in Docker.
import { Command, InvalidArgumentError } from 'commander';
import Docker from 'dockerode';
import { POOLS } from '../lib/contract/index.ts';
import { exitCodeFor, toCidError } from '../lib/errors/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { loadRunnerConfig } from './config/index.ts';
import { startRunner } from './worker/index.ts';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};

const program = new Command('cid-runner')
  .description('Take jobs of one pool from cid\'s queues and build them in Docker.')
  .option('--pool <pool>', `the pool to serve: ${POOLS.join(', ')} (default: this machine's)`)
  .option('--concurrency <n>', 'jobs at once', int)
  .option('--metrics-port <port>', 'serve Prometheus /metrics on this port', int)
  .action(async (o: { pool?: string; concurrency?: number; metricsPort?: number }) => {
    const config = loadRunnerConfig(process.env, o);
    const log = createLogger({ level: config.logLevel, name: 'cid-runner' });
    const docker = new Docker();
    try {
      await docker.ping();
    } catch (err) {
      throw new Error(`no Docker engine answers (${(err as Error).message}); start dockerd or set DOCKER_HOST`);
    }
    const started = await startRunner(config, log, { docker });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal, graceMs: config.graceMs }, 'stopping: no new jobs; running jobs get the grace period');
      void started.stop().then(() => process.exit(0));
    };
    // A runner whose credential is refused takes no more jobs: exit, so its supervisor starts it again (it registers anew).
    void started.runner.done.then(async () => {
      if (stopping) return;
      stopping = true;
      await started.stop(config.graceMs);
      process.exit(75);
    });
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program.parseAsync().catch((err: unknown) => {
  const e = toCidError(err);
  console.error(`cid-runner: ${e.code === 'internal' ? (err as Error).message : e.message}`);
  process.exit(exitCodeFor(err) || 1);
});
