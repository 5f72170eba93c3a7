import type { JobStatus } from '../../lib/contract/index.ts';

/** How a run ended, as the runner records it. */
export interface JobOutcome {
  status: Exclude<JobStatus, 'queued' | 'running'>;
  reason?: string;
  output?: unknown;
  /** The build went past its time limit (a failure, shown as timed_out on GitHub). */
  timedOut?: boolean;
  cacheHits?: number;
  cacheMisses?: number;
}
