import { isFinal, type Job } from '../../lib/contract/index.ts';
import { jobDuration, jobsFinished, webhookDeliveries, webhookDuration } from './registry.ts';

/** Event names become label values: unknown (unverified, attacker-chosen) names are folded. */
const KNOWN_EVENTS = new Set(['push', 'pull_request', 'check_suite', 'check_run', 'installation', 'installation_repositories', 'ping']);

export function recordWebhook(event: string | undefined, status: number, seconds: number): void {
  const e = event && KNOWN_EVENTS.has(event) ? event : 'other';
  webhookDeliveries.inc({ event: e, status: String(status) });
  webhookDuration.observe({ event: e }, seconds);
}

// The same result can be handled twice (a 'retry' re-send, an SQS redelivery); count it once.
const seen = new Set<string>();
const SEEN_MAX = 10_000;

/** Called for each job-updated result: counts and times jobs that reached a final state. */
export function recordJobUpdate(job: Pick<Job, 'id' | 'generation' | 'attempt' | 'status' | 'pool' | 'kind' | 'startedAt' | 'finishedAt'>): void {
  if (!isFinal(job.status)) return;
  const key = `${job.id}:${job.generation}:${job.attempt}:${job.status}`;
  if (seen.has(key)) return;
  if (seen.size >= SEEN_MAX) seen.delete(seen.values().next().value as string);
  seen.add(key);
  const labels = { pool: job.pool, kind: job.kind, status: job.status };
  jobsFinished.inc(labels);
  if (job.startedAt && job.finishedAt) {
    const seconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) jobDuration.observe(labels, seconds);
  }
}
