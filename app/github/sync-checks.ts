import type { Job, Pipeline } from '../contract/index.ts';
import type { Services } from '../services.ts';
import { SUMMARY_CHECK_NAME, checkStateFor, commitUrl, jobUrl, summaryCheck, MAX_CHECK_TEXT } from './check-run-format.ts';

const JOB_ACTIONS = [
  { label: 'Rebuild', description: 'Run this job again', identifier: 'rebuild' },
  { label: 'Cancel', description: 'Stop this job', identifier: 'cancel' },
];
const SUMMARY_ACTIONS = [
  { label: 'Rebuild failed', description: 'Run failed jobs again', identifier: 'rebuild-failed' },
  { label: 'Cancel all', description: 'Stop every job', identifier: 'cancel' },
];

const reportKey = (job: Job): string => `${job.generation}:${job.status}`;

function completedFields(state: ReturnType<typeof checkStateFor>) {
  return state.status === 'completed'
    ? { status: 'completed' as const, conclusion: state.conclusion, completed_at: new Date().toISOString() }
    : { status: state.status };
}

/**
 * Brings a pipeline's check runs on GitHub up to date: one per job, created `queued` with the job
 * page as details_url, plus the `cid` summary. Runs off the request path (results queue), under a
 * short per-pipeline lease so two consumers never create the same check run twice.
 * Returns false when the lease is held elsewhere (the caller retries later).
 */
export async function syncChecks(svc: Services, pipeline: Pipeline, jobs: Job[]): Promise<boolean> {
  const gh = svc.github;
  if (!gh || !pipeline.installationId) return true;
  const release = await svc.store.pipelines.acquireSyncLease(pipeline.id, `${process.pid}-${Math.random()}`, 30_000);
  if (!release) return false;
  try {
    const octokit = await gh.installation(pipeline.installationId);
    const [owner, repo] = pipeline.repo.split('/') as [string, string];
    const publicUrl = svc.config.publicUrl;

    for (const job of jobs) {
      // opam-repository jobs (thousands with revdeps) are reported by statuses and one PR comment instead.
      if (job.kind === 'opam-repo') continue;
      const state = checkStateFor(job);
      const title = job.reason ? `${job.status}: ${job.reason}` : job.status;
      const output = { title: title.slice(0, 255), summary: `${job.name}: ${job.status}${job.reason ? ` (${job.reason})` : ''}`.slice(0, MAX_CHECK_TEXT) };
      if (job.checkRunId === undefined) {
        const res = await octokit.rest.checks.create({
          owner,
          repo,
          name: job.name,
          head_sha: job.sha,
          external_id: job.id,
          details_url: jobUrl(publicUrl, job),
          output,
          actions: JOB_ACTIONS,
          ...completedFields(state),
        });
        await svc.store.jobs.setCheckRunId(job.id, res.data.id);
        await svc.store.jobs.setCheckReported(job.id, reportKey(job));
      } else if (job.checkReported !== reportKey(job)) {
        await octokit.rest.checks.update({ owner, repo, check_run_id: job.checkRunId, output, ...completedFields(state) });
        await svc.store.jobs.setCheckReported(job.id, reportKey(job));
      }
    }

    const s = summaryCheck(pipeline, jobs, publicUrl);
    const output = { title: s.title, summary: s.summary };
    if (pipeline.summaryCheckRunId === undefined) {
      const res = await octokit.rest.checks.create({
        owner,
        repo,
        name: SUMMARY_CHECK_NAME,
        head_sha: pipeline.sha,
        external_id: pipeline.id,
        details_url: commitUrl(publicUrl, pipeline.repo, pipeline.sha),
        output,
        actions: SUMMARY_ACTIONS,
        ...completedFields(s.state),
      });
      await svc.store.pipelines.setSummaryCheckRun(pipeline.id, res.data.id);
    } else {
      await octokit.rest.checks.update({ owner, repo, check_run_id: pipeline.summaryCheckRunId, output, ...completedFields(s.state) });
    }
    return true;
  } finally {
    await release();
  }
}
