import type { CheckRunAnnotation, Job } from '../../lib/contract/index.ts';
import { checkStateFor, MAX_CHECK_TEXT } from './check-run-format.ts';

/** GitHub accepts at most 50 annotations per request; the rest go in follow-up updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** How much of a finished job's log its check run shows (its end, where failures are). */
export const LOG_TAIL_CHARS = 60 * 1024;

type Conclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out';

/** One request's body (without owner, repo and id): the first sets the state, the rest add annotations. */
export interface CheckRunWrite {
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: Conclusion;
  started_at?: string;
  completed_at?: string;
  output: { title: string; summary: string; text?: string; annotations?: CheckRunAnnotation[] };
}

const fence = (log: string): string => '```\n' + log.replace(/```/g, '`\u200b``') + '\n```';

/** What a finished job's check run says: how it ended, where it ran, what its cache did. */
export function finishedSummary(job: Job): string {
  const annotations = job.report?.annotations ?? [];
  return [
    `**${job.name}**: ${job.status}${job.reason ? ` (${job.reason})` : ''}`,
    job.attempt > 0 && job.runnerId ? `Attempt ${job.attempt} on runner \`${job.runnerId}\` (${job.pool}).` : '',
    job.report?.cacheHits !== undefined ? `Steps from cache: ${job.report.cacheHits}, run: ${job.report.cacheMisses ?? 0}.` : '',
    annotations.length ? `${annotations.length} compiler diagnostics are shown as annotations.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * The requests that show a job's state on its check run: one for a queued or running job; for
 * a finished one the conclusion, the log's tail and the first 50 annotations (from the runner's
 * report), then one request per further 50.
 */
export function jobCheckRunWrites(job: Job, logTail: string, now = new Date()): CheckRunWrite[] {
  const state = checkStateFor(job);
  if (state.status === 'queued') return [{ status: 'queued', output: { title: 'queued', summary: `${job.name}: queued` } }];
  if (state.status !== 'completed') {
    return [
      {
        status: 'in_progress',
        started_at: job.startedAt ?? now.toISOString(),
        output: { title: 'running', summary: `${job.name}: running (attempt ${job.attempt})` },
      },
    ];
  }
  const conclusion = job.report?.timedOut && state.conclusion !== 'neutral' ? 'timed_out' : state.conclusion;
  const title = (job.reason ? `${job.status}: ${job.reason}` : job.status).slice(0, 255);
  const summary = finishedSummary(job).slice(0, MAX_CHECK_TEXT);
  const text = logTail ? fence(logTail) : '';
  const annotations = job.report?.annotations ?? [];
  const batches: CheckRunAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const first: CheckRunWrite = {
    status: 'completed',
    conclusion,
    completed_at: job.finishedAt ?? now.toISOString(),
    output: {
      title,
      summary,
      ...(text ? { text: text.length > MAX_CHECK_TEXT ? text.slice(text.length - MAX_CHECK_TEXT) : text } : {}),
      ...(batches[0] ? { annotations: batches[0] } : {}),
    },
  };
  return [first, ...batches.slice(1).map((batch) => ({ output: { title, summary, annotations: batch } }))];
}
