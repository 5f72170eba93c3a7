import { POOLS, PRIORITIES, type Pool, type Priority } from '../contract/index.ts';

/**
 * SQS queues, defined once for the local stack and for serverless.yml: per pool an urgent and a
 * bulk job queue, plus the results queue the control plane consumes; each with a dead-letter queue.
 */
export interface QueueDef {
  key: string;
  /** Seconds a received message stays invisible; runners extend it while a job runs. */
  visibilityTimeout: number;
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
  retentionSeconds: number;
}

export const JOB_QUEUE_VISIBILITY = 120;
export const JOB_MAX_RECEIVES = 3;
/** The results and events consumer Lambdas time out at 60 s; AWS advises a visibility of ≥ 6× that. */
export const RESULTS_VISIBILITY = 360;

export const jobQueueKey = (pool: Pool, priority: Priority): string => `jobs-${pool}-${priority}`;
export const RESULTS_QUEUE_KEY = 'results';
/** Verified webhook deliveries, acknowledged at once and processed by the events consumer. */
export const EVENTS_QUEUE_KEY = 'events';
export const dlqKey = (key: string): string => `${key}-dlq`;

export const QUEUES: readonly QueueDef[] = [
  ...POOLS.flatMap((pool) =>
    PRIORITIES.map((priority) => ({
      key: jobQueueKey(pool, priority),
      visibilityTimeout: JOB_QUEUE_VISIBILITY,
      maxReceiveCount: JOB_MAX_RECEIVES,
      retentionSeconds: 14 * 24 * 3600,
    })),
  ),
  { key: RESULTS_QUEUE_KEY, visibilityTimeout: RESULTS_VISIBILITY, maxReceiveCount: 5, retentionSeconds: 14 * 24 * 3600 },
  { key: EVENTS_QUEUE_KEY, visibilityTimeout: RESULTS_VISIBILITY, maxReceiveCount: 5, retentionSeconds: 14 * 24 * 3600 },
];

export function queueName(prefix: string, key: string): string {
  return `${prefix}-${key}`;
}
