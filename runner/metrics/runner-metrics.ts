import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RunnerMetricsOptions {
  pool: string;
  runnerId: string;
  /** Job slots (--concurrency), exported so dashboards can show utilisation. */
  concurrency: number;
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
  return metrics;
}

export type RunnerMetrics = ReturnType<typeof createRunnerMetrics>;
