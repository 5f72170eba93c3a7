import { ProbotOctokit } from 'probot';
import type { Job } from '../../lib/contract/index.ts';
import { checkStateFor, MAX_CHECK_TEXT } from '../../app/github/check-run-format.ts';
import type { JobToken } from './control-plane-client.ts';
import type { CheckRunAnnotation } from '../report/annotations.ts';

export type Annotation = CheckRunAnnotation;

type OctokitClass = typeof ProbotOctokit;

/** GitHub accepts at most 50 annotations per request; the rest go in follow-up updates. */
export const ANNOTATIONS_PER_REQUEST = 50;

/**
 * Reports a job's check run with the job's own token (restricted to its repository): in progress
 * at start; at the end the conclusion, the log's tail and the compiler's diagnostics as
 * annotations. ProbotOctokit retries 5xx and waits out rate limits, so a slow GitHub delays a
 * report but does not lose it.
 */
export class CheckRunReporter {
  constructor(private readonly Octokit: OctokitClass = ProbotOctokit) {}

  private client(token: JobToken) {
    return new this.Octokit({ auth: { token: token.token }, baseUrl: token.apiUrl });
  }

  async started(token: JobToken, job: Job): Promise<void> {
    if (job.checkRunId === undefined) return;
    const [owner, repo] = job.repo.split('/') as [string, string];
    await this.client(token).rest.checks.update({
      owner,
      repo,
      check_run_id: job.checkRunId,
      status: 'in_progress',
      started_at: job.startedAt ?? new Date().toISOString(),
      output: { title: 'running', summary: `${job.name}: running (attempt ${job.attempt})` },
    });
  }

  async finished(token: JobToken, job: Job, o: { summary: string; text: string; annotations: Annotation[]; timedOut?: boolean }): Promise<void> {
    if (job.checkRunId === undefined) return;
    const [owner, repo] = job.repo.split('/') as [string, string];
    const state = checkStateFor(job);
    const conclusion = state.status === 'completed' ? (o.timedOut ? 'timed_out' : state.conclusion) : 'neutral';
    const title = (job.reason ? `${job.status}: ${job.reason}` : job.status).slice(0, 255);
    const text = o.text.length > MAX_CHECK_TEXT ? o.text.slice(o.text.length - MAX_CHECK_TEXT) : o.text;
    const octokit = this.client(token);
    const batches: Annotation[][] = [];
    for (let i = 0; i < o.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(o.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: job.checkRunId,
      status: 'completed',
      conclusion,
      completed_at: job.finishedAt ?? new Date().toISOString(),
      output: { title, summary: o.summary.slice(0, MAX_CHECK_TEXT), text, ...(batches[0] ? { annotations: batches[0] } : {}) },
    });
    for (const batch of batches.slice(1)) {
      await octokit.rest.checks.update({ owner, repo, check_run_id: job.checkRunId, output: { title, summary: o.summary.slice(0, MAX_CHECK_TEXT), annotations: batch } });
    }
  }
}
