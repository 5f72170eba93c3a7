// `npm start`: everything on one machine — dynalite, fauxqs, the control plane and, when a
// Docker engine answers, a local runner.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../app/config/index.ts';
import { exitCodeFor, toCidError } from '../lib/errors/index.ts';
import { createLogger } from '../lib/log/index.ts';
import { startControlPlane, type ControlPlane } from './start-control-plane.ts';
import { startLocalRunner } from './local-runner.ts';
import type { StartedRunner } from '../runner/worker/index.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // The local runner needs a credential; without an operator's secret, one for this process.
  config.runnerSecret ??= randomBytes(24).toString('hex');
  const log = createLogger({ level: config.logLevel });

  // Signals are handled from the first moment, so a stop during start-up still cleans up.
  const started: { cp?: ControlPlane } = {};
  let local: { runner?: StartedRunner; why?: string } = { why: 'starting' };
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await local.runner?.stop();
    await started.cp?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const cp = await startControlPlane(config, {
    log,
    fixedPorts: true,
    healthProbe: async () => ({
      runner: local.runner
        ? { ok: true, detail: `local runner on ${local.runner.runner.id}: ${local.runner.runner.activeJobs.length} jobs running` }
        : { ok: true, detail: `no local runner: ${local.why ?? 'unknown'}` },
    }),
  });
  started.cp = cp;
  if (stopping) return;
  local = await startLocalRunner(cp, log);
  if (stopping) await local.runner?.stop();
  log.info(
    { url: cp.url, dataDir: config.dataDir, github: config.github ? 'configured' : `not configured (set ${config.githubMissing.join(', ')})` },
    `cid is running at ${cp.url} (webhooks at ${cp.url}/api/github/webhooks)`,
  );
}

main().catch((err) => {
  const e = toCidError(err);
  console.error(`cid: ${e.status >= 500 && e.code === 'internal' ? (err as Error).message : e.message}`);
  process.exit(exitCodeFor(err));
});
