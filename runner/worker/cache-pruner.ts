import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { formatBytes, type RunnerConfig } from '../config/index.ts';
import { pruneCache, type PruneResult, type StepLogStore } from '../docker/index.ts';
import type { RunnerMetrics } from '../metrics/index.ts';

/** Removals named one by one in the log line of a prune; the rest are counted. */
const LOGGED_EVICTIONS = 50;

/**
 * Prunes the step cache at start and every `pruneIntervalMs` while the runner runs: cached steps
 * unused for `maxAgeMs`, then the least recently used until it takes at most `maxBytes` (see
 * pruneCache). One prune at a time; running jobs' steps are never removed.
 */
export class CachePruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PruneResult | undefined> | undefined;

  constructor(
    private readonly o: {
      docker: Docker;
      cache: RunnerConfig['cache'];
      log: Logger;
      metrics?: RunnerMetrics;
      logStore?: StepLogStore;
    },
  ) {}

  get enabled(): boolean {
    return this.o.cache.pruneIntervalMs > 0;
  }

  /** Prunes once now, then on the interval. Never throws: a failed prune is logged and retried next time. */
  async start(): Promise<void> {
    if (!this.enabled || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.prune(), this.o.cache.pruneIntervalMs);
    this.timer.unref();
    await this.prune();
  }

  /** Stops the timer and waits for a prune under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One prune (or the one already under way); undefined when it failed. */
  prune(): Promise<PruneResult | undefined> {
    this.running ??= this.pruneOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pruneOnce(): Promise<PruneResult | undefined> {
    const { cache, log, metrics } = this.o;
    const t0 = Date.now();
    let r: PruneResult;
    try {
      r = await pruneCache({
        docker: this.o.docker,
        olderThanMs: cache.maxAgeMs,
        maxBytes: cache.maxBytes,
        ...(this.o.logStore ? { logStore: this.o.logStore } : {}),
      });
    } catch (err) {
      metrics?.cachePruneErrors.inc();
      log.warn({ err }, 'pruning the step cache failed; trying again at the next interval');
      return undefined;
    }
    metrics?.observePrune(r);
    const summary = {
      driver: r.driver,
      cacheBytes: r.bytes,
      cacheSize: formatBytes(r.bytes),
      entries: r.entries,
      maxBytes: cache.maxBytes,
      durationMs: Date.now() - t0,
    };
    if (r.evicted.length > 0 || r.logs > 0) {
      log.info(
        {
          ...summary,
          removed: r.evicted.length,
          freedBytes: r.freedBytes,
          freed: formatBytes(r.freedBytes),
          logsRemoved: r.logs,
          evicted: r.evicted.slice(0, LOGGED_EVICTIONS).map((e) => ({ key: e.key, reason: e.reason, lastUsed: e.lastUsed.toISOString(), bytes: e.bytes })),
          ...(r.evicted.length > LOGGED_EVICTIONS ? { notListed: r.evicted.length - LOGGED_EVICTIONS } : {}),
        },
        'step cache pruned',
      );
    } else {
      log.debug(summary, 'step cache pruned: nothing to remove');
    }
    if (cache.maxBytes > 0 && r.bytes > cache.maxBytes) {
      log.warn(
        { ...summary, inUse: r.inUse.length },
        'the step cache is still over its budget: what is left is in use by running jobs or built on by newer steps',
      );
    }
    return r;
  }
}
