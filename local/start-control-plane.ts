import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../app/config/index.ts';
import { startLocalStackThread, type LocalStack } from '../infra/local-stack/index.ts';
import { createServices } from '../app/boot/index.ts';
import { createHttpApp, type HttpAppOptions } from '../app/http/index.ts';
import { EventEmitter } from 'node:events';
import { consumeResults } from '../app/results/index.ts';
import { consumeEvents } from '../app/events/index.ts';
import { sweepDeadLetters, sweepQueuedJobs, sweepStaleRunningJobs } from '../app/sweeper/index.ts';
import type { Services } from '../app/services.ts';
import { createLogger } from '../lib/log/index.ts';
import type { ProbotOctokitClass } from '../app/github/index.ts';

export interface ControlPlane {
  url: string;
  port: number;
  svc: Services;
  config: Config;
  stack?: LocalStack;
  /** Emits ('delivery', deliveryId, result) when the events consumer has acted on a delivery. */
  processed: EventEmitter;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions extends HttpAppOptions {
  log?: Logger;
  /** Run the results consumer in this process (default true). */
  consumeResults?: boolean;
  /** Run the events (webhook) consumer in this process (default true). */
  consumeEvents?: boolean;
  /** Run the sweeper on an interval (default true). */
  sweeper?: boolean;
  /** Keep dynalite in memory instead of config.dataDir (tests). */
  inMemory?: boolean;
  /** Listen on the configured local DynamoDB/SQS ports (npm start), so separate runners find them. */
  fixedPorts?: boolean;
  /** Octokit class for the App (tests pass one without real-time throttling waits). */
  Octokit?: ProbotOctokitClass;
}

/**
 * The control plane as one process: with the embedded backend it first starts dynalite and
 * fauxqs; then the HTTP server, the results consumer and the sweeper.
 */
export async function startControlPlane(config: Config, opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  let stack: LocalStack | undefined;
  let cfg = config;
  if (config.backend === 'embedded' && !config.dynamoEndpoint && !config.sqsEndpoint) {
    stack = await startLocalStackThread({
      ...(opts.inMemory ? {} : { dataDir: config.dataDir }),
      tablePrefix: config.tablePrefix,
      queuePrefix: config.queuePrefix,
      region: config.region,
      ...(opts.fixedPorts ? { dynamoPort: config.localDynamoPort, sqsPort: config.localSqsPort } : {}),
    });
    cfg = { ...config, dynamoEndpoint: stack.dynamoEndpoint, sqsEndpoint: stack.sqsEndpoint };
  }
  const svc = await createServices(cfg, log, opts.Octokit ? { Octokit: opts.Octokit } : {});
  const app = createHttpApp(svc, opts);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: cfg.port, hostname: cfg.host }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${port}`;
  if (cfg.env.CID_PUBLIC_URL === undefined) cfg.publicUrl = `http://localhost:${port}`;

  const abort = new AbortController();
  const background: Promise<void>[] = [];
  const processed = new EventEmitter();
  processed.setMaxListeners(0);
  if (opts.consumeResults !== false) background.push(consumeResults(svc, abort.signal, { waitSeconds: 1 }));
  if (opts.consumeEvents !== false) {
    const onProcessed = (id: string, result: unknown) => processed.emit('delivery', id, result);
    background.push(consumeEvents(svc, abort.signal, { waitSeconds: 1, onProcessed }));
  }
  let timer: NodeJS.Timeout | undefined;
  if (opts.sweeper !== false) {
    // The embedded queue starts empty: anything the store says is queued must be sent again.
    if (stack) await sweepQueuedJobs(svc, 0);
    timer = setInterval(() => {
      sweepQueuedJobs(svc, cfg.sweepAfterSeconds).catch((err) => log.error({ err }, 'sweep failed'));
      sweepDeadLetters(svc).catch((err) => log.error({ err }, 'dead-letter sweep failed'));
      sweepStaleRunningJobs(svc, cfg.sweepStaleRunningSeconds).catch((err) => log.error({ err }, 'stale-running sweep failed'));
    }, cfg.sweepIntervalSeconds * 1000);
    timer.unref();
  }

  return {
    url,
    port,
    svc,
    config: cfg,
    ...(stack ? { stack } : {}),
    processed,
    async stop() {
      abort.abort();
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(background);
      svc.store.db.destroy();
      svc.queues.sqs.destroy();
      await stack?.stop();
    },
  };
}
