// `npm start`: everything on one machine — dynalite, fauxqs, the control plane and, when a
// Docker engine answers, a local runner.
import { loadConfig } from '../config/index.ts';
import { exitCodeFor, toCidError } from '../errors/index.ts';
import { createLogger } from '../log/index.ts';
import { startControlPlane } from './start-control-plane.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  const cp = await startControlPlane(config, { log, fixedPorts: true });
  log.info(
    { url: cp.url, dataDir: config.dataDir, github: config.github ? 'configured' : `not configured (set ${config.githubMissing.join(', ')})` },
    `cid is running at ${cp.url} (webhooks at ${cp.url}/api/github/webhooks)`,
  );
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await cp.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  const e = toCidError(err);
  console.error(`cid: ${e.status >= 500 && e.code === 'internal' ? (err as Error).message : e.message}`);
  process.exit(exitCodeFor(err));
});
