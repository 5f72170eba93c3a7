import { isFinal, type Job } from '../../lib/contract/index.ts';
import { jobDuration, jobsFinished, webhookDeliveries, webhookDuration, type JobMetrics } from './registry.ts';

/** Event names become label values: unknown (unverified, attacker-chosen) names are folded. */
const KNOWN_EVENTS = new Set(['push', 'pull_request', 'check_suite', 'check_run', 'installation', 'installation_repositories', 'ping']);

export function recordWebhook(event: string | undefined, status: number, seconds: number): void {
  const e = event && KNOWN_EVENTS.has(event) ? event : 'other';
  webhookDeliveries.inc({ event: e, status: String(status) });
  webhookDuration.observe({ event: e }, seconds);
}

const SEEN_MAX = 10_000;

export type JobUpdate = Pick<Job, 'id' | 'generation' | 'attempt' | 'status' | 'pool' | 'kind' | 'startedAt' | 'finishedAt'>;

/** Counts and times jobs that reached a final state, in `metrics`. */
export function jobUpdateRecorder(metrics: JobMetrics): (job: JobUpdate) => void {
  // The same result can be handled twice (a 'retry' re-send, an SQS redelivery); count it once.
  const seen = new Set<string>();
  return (job) => {
    if (!isFinal(job.status)) return;
    const key = `${job.id}:${job.generation}:${job.attempt}:${job.status}`;
    if (seen.has(key)) return;
    if (seen.size >= SEEN_MAX) seen.delete(seen.values().next().value as string);
    seen.add(key);
    const labels = { pool: job.pool, kind: job.kind, status: job.status };
    metrics.jobsFinished.inc(labels);
    if (job.startedAt && job.finishedAt) {
      const seconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) metrics.jobDuration.observe(labels, seconds);
    }
  };
}

/** Called for each job-updated result, into the app's registry (served at /metrics). */
export const recordJobUpdate = jobUpdateRecorder({ jobsFinished, jobDuration });
