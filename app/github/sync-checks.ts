import { createHash } from 'node:crypto';
import type { Job, Pipeline } from '../../lib/contract/index.ts';
import { pipelineStatusFrom } from '../pipelines/pipeline-status.ts';
import type { Services } from '../services.ts';
import { SUMMARY_CHECK_NAME, checkStateFor, summaryCheck, MAX_CHECK_TEXT } from './check-run-format.ts';
import { commitUrl, jobUrl } from '../web/paths.ts';

const JOB_ACTIONS = [
  { label: 'Rebuild', description: 'Run this job again', identifier: 'rebuild' },
  { label: 'Cancel', description: 'Stop this job', identifier: 'cancel' },
];
const SUMMARY_ACTIONS = [
  { label: 'Rebuild failed', description: 'Run failed jobs again', identifier: 'rebuild-failed' },
  { label: 'Cancel all', description: 'Stop every job', identifier: 'cancel' },
];

const reportKey = (job: Job): string => `${job.generation}:${job.status}`;

/**
 * While a pipeline runs, its summary changes with every job; it is rewritten at most this often
 * (a delayed message brings it up to date), to spare GitHub's secondary rate limits. A change of
 * the check's status (queued → in progress → completed) or of the list of jobs (the analysis
 * added them) is written at once.
 */
export const SUMMARY_INTERVAL_MS = 10_000;

function completedFields(state: ReturnType<typeof checkStateFor>) {
  return state.status === 'completed'
    ? { status: 'completed' as const, conclusion: state.conclusion, completed_at: new Date().toISOString() }
    : { status: state.status };
}

/**
 * Brings a pipeline's check runs on GitHub up to date: one per job, created `queued` with the job
 * page as details_url, plus the `cid` summary. Runs off the request path (results queue), under a
 * short per-pipeline lease so two consumers never create the same check run twice; the pipeline
 * and its jobs are read again once the lease is held, so a consumer holding an older view never
 * writes an older state over a newer one.
 * Returns false when the lease is held elsewhere (the caller retries later).
 */
export async function syncChecks(svc: Services, pipelineId: string): Promise<boolean> {
  const gh = svc.github;
  if (!gh) return true;
  const release = await svc.store.pipelines.acquireSyncLease(pipelineId, `${process.pid}-${Math.random()}`, 30_000);
  if (!release) return false;
  try {
    const found = await svc.store.pipelines.get(pipelineId);
    if (!found?.installationId) return true;
    const jobs = await svc.store.jobs.listByPipeline(pipelineId);
    const pipeline: Pipeline = { ...found, status: pipelineStatusFrom(found, jobs) };
    // This fresher view also keeps the stored status in step with what GitHub is about to show.
    if (pipeline.status !== found.status) await svc.store.pipelines.update(pipelineId, { status: pipeline.status });
    const octokit = await gh.installation(found.installationId);
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
    const shape = `${s.state.status}:${jobs.length}:`;
    const reported = `${shape}${createHash('sha256').update(JSON.stringify([s.state, output])).digest('hex').slice(0, 32)}`;
    const now = Date.now();
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
    } else if (pipeline.summaryReported === reported) {
      return true;
    } else if (s.state.status !== 'completed' && pipeline.summaryReported?.startsWith(shape) && now - (pipeline.summaryReportedAt ?? 0) < SUMMARY_INTERVAL_MS) {
      const due = (pipeline.summaryReportedAt ?? 0) + SUMMARY_INTERVAL_MS;
      if ((pipeline.summaryDeferredUntil ?? 0) < now) {
        await svc.store.pipelines.recordSummary(pipeline.id, { deferredUntil: due });
        await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: pipeline.id }, Math.max(1, Math.ceil((due - now) / 1000)));
      }
      return true;
    } else {
      await octokit.rest.checks.update({ owner, repo, check_run_id: pipeline.summaryCheckRunId, output, ...completedFields(s.state) });
    }
    await svc.store.pipelines.recordSummary(pipeline.id, { reported, at: now });
    return true;
  } finally {
    await release();
  }
}
