import Docker from 'dockerode';
import type { Logger } from 'pino';
import { createSqs } from '../../lib/aws/index.ts';
import { RunnerApiClient } from '../../lib/runner-api/index.ts';
import type { RunnerConfig } from '../config/index.ts';
import { createRunnerMetrics, startMetricsServer, type MetricsServer } from '../metrics/index.ts';
import { useCacheRepo, useStepLogDir } from '../docker/index.ts';
import { JobQueues } from '../queue/index.ts';
import { Runner } from './runner.ts';

export interface StartedRunner {
  runner: Runner;
  api: RunnerApiClient;
  metricsServer?: MetricsServer;
  stop(graceMs?: number): Promise<{ handedBack: string[] }>;
}

/** Registers with the control plane's runner API, connects to the pool's queues and Docker engine, and starts. */
export async function startRunner(config: RunnerConfig, log: Logger, opts: { docker?: Docker } = {}): Promise<StartedRunner> {
  const sqs = createSqs({ region: config.aws.region, ...(config.aws.sqsEndpoint ? { sqsEndpoint: config.aws.sqsEndpoint } : {}) });
  const api = new RunnerApiClient({ apiUrl: config.apiUrl, bootstrapToken: config.bootstrapToken });
  const docker = opts.docker ?? new Docker();
  useCacheRepo(config.cacheRepo);
  useStepLogDir(config.stepLogDir);
  const metrics = createRunnerMetrics({ pool: config.pool, runnerId: config.runnerId, concurrency: config.concurrency, cacheMaxBytes: config.cache.maxBytes });
  const metricsServer = config.metricsPort !== undefined ? await startMetricsServer(metrics.registry, { port: config.metricsPort }) : undefined;
  const runner = new Runner({ config, api, queues: (urls) => new JobQueues(sqs, urls), docker, log, metrics });
  try {
    await runner.start();
  } catch (err) {
    await metricsServer?.close();
    sqs.destroy();
    throw err;
  }
  return {
    runner,
    api,
    ...(metricsServer ? { metricsServer } : {}),
    async stop(graceMs?: number) {
      const r = await runner.stop(graceMs);
      await metricsServer?.close();
      sqs.destroy();
      return r;
    },
  };
}
