import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The control plane's metrics, in one registry served at /metrics.
 *
 * Two kinds live here. Counters and histograms (webhooks, job results) count what *this process*
 * saw: right for the long-running local server, but on Lambda each container counts alone and
 * starts from zero, and /metrics reaches one http container at random — so on AWS read those
 * from CloudWatch (function URL, Lambda, SQS metrics) and use the scrape-time gauges below, which
 * are read from SQS and DynamoDB on every scrape and so are right wherever they are served.
 */
export const appRegistry = new Registry();
collectDefaultMetrics({ register: appRegistry });

export const webhookDeliveries = new Counter({
  name: 'cid_webhook_deliveries_total',
  help: 'Webhook deliveries received, by event and HTTP status answered',
  labelNames: ['event', 'status'] as const,
  registers: [appRegistry],
});

export const webhookDuration = new Histogram({
  name: 'cid_webhook_duration_seconds',
  help: 'Time to answer a webhook delivery (GitHub gives up after 10 s)',
  labelNames: ['event'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [appRegistry],
});

/** The job counters, in `registry`: the app's below, or a test's own. */
export function jobMetrics(registry: Registry) {
  return {
    jobsFinished: new Counter({
      name: 'cid_jobs_finished_total',
      help: 'Jobs that reached a final state, as seen by the results consumer',
      labelNames: ['pool', 'kind', 'status'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'cid_job_duration_seconds',
      help: 'Run time of finished jobs (started → finished), observed when their result arrives',
      labelNames: ['pool', 'kind', 'status'] as const,
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers: [registry],
    }),
  };
}
export type JobMetrics = ReturnType<typeof jobMetrics>;

export const { jobsFinished, jobDuration } = jobMetrics(appRegistry);

export const jobsQueued = new Gauge({
  name: 'cid_jobs_queued',
  help: 'Jobs waiting for a runner, per pool (read from the jobs table on scrape)',
  labelNames: ['pool'] as const,
  registers: [appRegistry],
});

export const queueMessages = new Gauge({
  name: 'cid_queue_messages',
  help: 'Approximate messages per SQS queue and state (read from SQS on scrape); *-dlq queues should be 0',
  labelNames: ['queue', 'state'] as const,
  registers: [appRegistry],
});

export const scrapeSourceUp = new Gauge({
  name: 'cid_scrape_source_up',
  help: '1 when the scrape-time source (sqs, dynamodb) answered on the last scrape, else 0',
  labelNames: ['source'] as const,
  registers: [appRegistry],
});
