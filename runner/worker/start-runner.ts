import Docker from 'dockerode';
import type { Logger } from 'pino';
import { createDynamo, createSqs } from '../../lib/aws/index.ts';
import { createStore } from '../../app/store/index.ts';
import { Queues } from '../../app/queue/index.ts';
import type { RunnerConfig } from '../config/index.ts';
import { createRunnerMetrics, startMetricsServer, type MetricsServer } from '../metrics/index.ts';
import { Runner } from './runner.ts';

export interface StartedRunner {
  runner: Runner;
  metricsServer?: MetricsServer;
  stop(graceMs?: number): Promise<{ handedBack: string[] }>;
}

/** Connects a runner to its store, queues and Docker engine, and starts it. */
export async function startRunner(config: RunnerConfig, log: Logger, opts: { docker?: Docker } = {}): Promise<StartedRunner> {
  const endpoints = { region: config.app.region, dynamoEndpoint: config.app.dynamoEndpoint, sqsEndpoint: config.app.sqsEndpoint };
  const store = createStore(createDynamo(endpoints), config.app.tablePrefix);
  const queues = await Queues.connect(createSqs(endpoints), config.app.queuePrefix);
  const docker = opts.docker ?? new Docker();
  const metrics = createRunnerMetrics({ pool: config.pool, runnerId: config.runnerId, concurrency: config.concurrency, cacheMaxBytes: config.cache.maxBytes });
  const metricsServer = config.metricsPort !== undefined ? await startMetricsServer(metrics.registry, { port: config.metricsPort }) : undefined;
  const runner = new Runner({ config, store, queues, docker, log, metrics });
  await runner.start();
  return {
    runner,
    ...(metricsServer ? { metricsServer } : {}),
    async stop(graceMs?: number) {
      const r = await runner.stop(graceMs);
      await metricsServer?.close();
      store.db.destroy();
      queues.sqs.destroy();
      return r;
    },
  };
}
