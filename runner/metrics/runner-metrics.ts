import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RunnerMetricsOptions {
  pool: string;
  runnerId: string;
  /** Job slots (--concurrency), exported so dashboards can show utilisation. */
  concurrency: number;
  /** The step cache budget in bytes (CID_RUNNER_CACHE_MAX_BYTES), 0 for none. */
  cacheMaxBytes?: number;
}

/** What a prune reports to the metrics (runner/docker's PruneResult has these fields). */
export interface PruneSummary {
  bytes: number;
  entries: number;
  evicted: readonly { reason: string; bytes: number }[];
}

/**
 * A runner's metrics, in a registry of its own (served by startMetricsServer on --metrics-port).
 * Every series carries the runner's pool and id, so one Prometheus can scrape every machine.
 */
export function createRunnerMetrics(opts: RunnerMetricsOptions) {
  const registry = new Registry();
  registry.setDefaultLabels({ pool: opts.pool, runner: opts.runnerId });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const slots = new Gauge({ name: 'cid_runner_slots', help: 'Jobs this runner may run at once (--concurrency)', registers });
  slots.set(opts.concurrency);

  const metrics = {
    registry,
    slots,
    jobsRunning: new Gauge({ name: 'cid_runner_jobs_running', help: 'Jobs running now on this runner', registers }),
    jobDuration: new Histogram({
      name: 'cid_runner_job_duration_seconds',
      help: 'Time from claiming a job to reporting its result',
      labelNames: ['kind', 'status'] as const,
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    }),
    queueWait: new Histogram({
      name: 'cid_runner_queue_wait_seconds',
      help: 'Time a job message waited in SQS before this runner received it (SentTimestamp → receive)',
      labelNames: ['priority'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    cacheHits: new Counter({ name: 'cid_runner_cache_hits_total', help: 'Build steps answered from the step cache', registers }),
    cacheMisses: new Counter({ name: 'cid_runner_cache_misses_total', help: 'Build steps that had to run', registers }),
    handedBack: new Counter({ name: 'cid_runner_jobs_handed_back_total', help: 'Jobs given back to the queue on shutdown (SIGTERM)', registers }),
    cacheBytes: new Gauge({ name: 'cid_runner_cache_bytes', help: "Disk taken by the step cache's images at the last prune (estimate; see runner/docker/cache-prune.ts)", registers }),
    cacheEntries: new Gauge({ name: 'cid_runner_cache_entries', help: 'Cached steps at the last prune', registers }),
    cacheMaxBytes: new Gauge({ name: 'cid_runner_cache_max_bytes', help: 'Step cache budget (CID_RUNNER_CACHE_MAX_BYTES); 0: none', registers }),
    cacheEvictions: new Counter({
      name: 'cid_runner_cache_evictions_total',
      help: 'Cached steps pruned, by reason: age (unused for CID_RUNNER_CACHE_MAX_AGE_DAYS) or size (over budget)',
      labelNames: ['reason'] as const,
      registers,
    }),
    cacheEvictedBytes: new Counter({ name: 'cid_runner_cache_evicted_bytes_total', help: 'Disk freed by pruning the step cache', registers }),
    cachePruneErrors: new Counter({ name: 'cid_runner_cache_prune_errors_total', help: 'Prunes of the step cache that failed', registers }),
    networkRetries: new Counter({
      name: 'cid_runner_network_retries_total',
      help: 'Build steps run again after a transient network failure (CID_RUNNER_NETWORK_RETRIES), by the tool whose message matched',
      labelNames: ['tool'] as const,
      registers,
    }),
    sourceFetches: new Counter({
      name: 'cid_runner_source_fetches_total',
      help: "Jobs' sources: fetched, reused (fetched on this runner for another job of the commit) or failed to fetch",
      labelNames: ['result'] as const,
      registers,
    }),
    sourceCacheBytes: new Gauge({ name: 'cid_runner_source_cache_bytes', help: 'Disk taken by the source trees the runner keeps', registers }),
    sourceCacheEntries: new Gauge({ name: 'cid_runner_source_cache_entries', help: 'Source trees the runner keeps or is fetching', registers }),
    cachePruneTime: new Gauge({ name: 'cid_runner_cache_last_prune_timestamp_seconds', help: 'When the step cache was last pruned (Unix time)', registers }),

    /** Records a finished prune of the step cache. */
    observePrune(r: PruneSummary, now = Date.now()): void {
      metrics.cacheBytes.set(r.bytes);
      metrics.cacheEntries.set(r.entries);
      for (const e of r.evicted) metrics.cacheEvictions.inc({ reason: e.reason });
      metrics.cacheEvictedBytes.inc(r.evicted.reduce((a, e) => a + e.bytes, 0));
      metrics.cachePruneTime.set(now / 1000);
    },

    /** Marks a job as running; call the returned function once with its final status. */
    startJob(kind: string): (status: string) => void {
      metrics.jobsRunning.inc();
      const end = metrics.jobDuration.startTimer({ kind });
      let ended = false;
      return (status: string) => {
        if (ended) return;
        ended = true;
        metrics.jobsRunning.dec();
        end({ status });
      };
    },

    /** Records the wait of a received message from its SQS SentTimestamp attribute (epoch ms). */
    observeQueueWait(priority: string, sentTimestamp: string | number | undefined, now = Date.now()): void {
      const sent = Number(sentTimestamp);
      if (Number.isFinite(sent) && sent > 0) metrics.queueWait.observe({ priority }, Math.max(0, (now - sent) / 1000));
    },
  };
  metrics.cacheMaxBytes.set(opts.cacheMaxBytes ?? 0);
  // Both reasons exist from the start, so rate() works before the first eviction.
  metrics.cacheEvictions.inc({ reason: 'age' }, 0);
  metrics.cacheEvictions.inc({ reason: 'size' }, 0);
  for (const result of ['fetched', 'reused', 'failed']) metrics.sourceFetches.inc({ result }, 0);
  return metrics;
}

export type RunnerMetrics = ReturnType<typeof createRunnerMetrics>;
