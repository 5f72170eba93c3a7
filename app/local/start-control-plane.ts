import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/index.ts';
import { startLocalStack, type LocalStack } from '../../infra/local-stack/index.ts';
import { createServices } from '../boot/index.ts';
import { createHttpApp, type HttpAppOptions } from '../http/index.ts';
import { consumeResults } from '../results/index.ts';
import { sweepQueuedJobs } from '../sweeper/index.ts';
import type { Services } from '../services.ts';
import { createLogger } from '../log/index.ts';

export interface ControlPlane {
  url: string;
  port: number;
  svc: Services;
  config: Config;
  stack?: LocalStack;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions extends HttpAppOptions {
  log?: Logger;
  /** Run the results consumer in this process (default true). */
  consumeResults?: boolean;
  /** Run the sweeper on an interval (default true). */
  sweeper?: boolean;
  /** Keep dynalite in memory instead of config.dataDir (tests). */
  inMemory?: boolean;
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
    stack = await startLocalStack({
      ...(opts.inMemory ? {} : { dataDir: config.dataDir }),
      tablePrefix: config.tablePrefix,
      queuePrefix: config.queuePrefix,
      region: config.region,
    });
    cfg = { ...config, dynamoEndpoint: stack.dynamoEndpoint, sqsEndpoint: stack.sqsEndpoint };
  }
  const svc = await createServices(cfg, log);
  const app = createHttpApp(svc, opts);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: cfg.port, hostname: cfg.host }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${port}`;
  if (cfg.env.CID_PUBLIC_URL === undefined) cfg.publicUrl = `http://localhost:${port}`;

  const abort = new AbortController();
  const background: Promise<void>[] = [];
  if (opts.consumeResults !== false) background.push(consumeResults(svc, abort.signal, { waitSeconds: 1 }));
  let timer: NodeJS.Timeout | undefined;
  if (opts.sweeper !== false) {
    // The embedded queue starts empty: anything the store says is queued must be sent again.
    if (stack) await sweepQueuedJobs(svc, 0);
    timer = setInterval(() => {
      sweepQueuedJobs(svc, cfg.sweepAfterSeconds).catch((err) => log.error({ err }, 'sweep failed'));
    }, cfg.sweepIntervalSeconds * 1000);
    timer.unref();
  }

  return {
    url,
    port,
    svc,
    config: cfg,
    ...(stack ? { stack } : {}),
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
