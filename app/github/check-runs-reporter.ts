import type { Job } from '../../lib/contract/index.ts';
import { logIdFor } from '../store/index.ts';
import type { Services } from '../services.ts';
import type { PipelineView, Reporter } from '../reporters/reporter.ts';
import { reportOnce } from '../reporters/report-once.ts';
import { commitUrl, jobUrl } from '../web/paths.ts';
import { SUMMARY_CHECK_NAME, summaryCheck } from './check-run-format.ts';
import type { InstallationOctokit } from './github-app.ts';
import { jobCheckRunWrites, LOG_TAIL_CHARS, type CheckRunWrite } from './job-check-run.ts';

const JOB_ACTIONS = [
  { label: 'Rebuild', description: 'Run this job again', identifier: 'rebuild' },
  { label: 'Cancel', description: 'Stop this job', identifier: 'cancel' },
];
const SUMMARY_ACTIONS = [
  { label: 'Rebuild failed', description: 'Run failed jobs again', identifier: 'rebuild-failed' },
  { label: 'Cancel all', description: 'Stop every job', identifier: 'cancel' },
];

/**
 * While a pipeline runs, its summary changes with every job; it is rewritten at most this often
 * (a delayed message brings it up to date), to spare GitHub's secondary rate limits. A change of
 * the check's status (queued → in progress → completed) or of the list of jobs (the analysis
 * added them) is written at once.
 */
export const SUMMARY_INTERVAL_MS = 10_000;

/** Each generation (rebuild) of a job gets a check run of its own, as a rebuild on GitHub does. */
export const jobCheckKey = (job: Pick<Job, 'id' | 'generation'>): string => `check#${job.id}#${job.generation}`;
export const summaryCheckKey = (pipelineId: string): string => `check#${pipelineId}#${SUMMARY_CHECK_NAME}`;

type Target = { octokit: InstallationOctokit; owner: string; repo: string };

async function write(t: Target, checkRunId: number, writes: readonly CheckRunWrite[]): Promise<void> {
  for (const w of writes) await t.octokit.rest.checks.update({ owner: t.owner, repo: t.repo, check_run_id: checkRunId, ...w });
}

async function create(t: Target, base: { name: string; head_sha: string; external_id: string; details_url: string; actions: typeof JOB_ACTIONS }, writes: readonly CheckRunWrite[]): Promise<number> {
  const [first, ...rest] = writes;
  const res = await t.octokit.rest.checks.create({ owner: t.owner, repo: t.repo, ...base, ...first });
  await write(t, res.data.id, rest);
  return res.data.id;
}

/** A finished job's log tail, read from the logs store (bounded: never the whole log). */
async function logTail(svc: Services, job: Job): Promise<string> {
  if (job.attempt === 0) return '';
  return svc.store.logs.tail(logIdFor(job.id, job.generation, job.attempt), LOG_TAIL_CHARS);
}

/**
 * A pipeline's check runs on GitHub: one per job, created with the job page as details_url and
 * brought to in progress and completed (with the log's tail and the runner's annotations) by the
 * control plane alone; plus the `cid` summary. opam-repository jobs (thousands with revdeps) are
 * reported by statuses and one PR comment instead.
 */
export const checkRunsReporter: Reporter = {
  name: 'github-check-runs',
  async report(svc: Services, { pipeline, jobs }: PipelineView): Promise<void> {
    if (!svc.github || pipeline.installationId === undefined) return;
    const [owner, repo] = pipeline.repo.split('/') as [string, string];
    const t: Target = { octokit: await svc.github.installation(pipeline.installationId), owner, repo };
    const publicUrl = svc.config.publicUrl;

    const shown = jobs.filter((j) => j.kind !== 'opam-repo');
    const known = await svc.store.reports.getMany(shown.map(jobCheckKey));
    for (const job of shown) {
      const key = jobCheckKey(job);
      const writes = async () => jobCheckRunWrites(job, await logTail(svc, job));
      await reportOnce(
        svc,
        {
          key,
          pipelineId: pipeline.id,
          content: `${job.status}:${job.attempt}`,
          create: async () => create(t, { name: job.name, head_sha: job.sha, external_id: job.id, details_url: jobUrl(publicUrl, job), actions: JOB_ACTIONS }, await writes()),
          update: async (id) => write(t, id, await writes()),
        },
        { known: known.get(key) ?? null },
      );
    }

    const s = summaryCheck(pipeline, jobs, publicUrl);
    const output = { title: s.title, summary: s.summary };
    const state: CheckRunWrite =
      s.state.status === 'completed'
        ? { status: 'completed', conclusion: s.state.conclusion, completed_at: new Date().toISOString(), output }
        : { status: s.state.status, output };
    await reportOnce(svc, {
      key: summaryCheckKey(pipeline.id),
      pipelineId: pipeline.id,
      content: JSON.stringify([s.state, output]),
      shape: `${s.state.status}:${jobs.length}`,
      // Completion is written at once.
      intervalMs: s.state.status === 'completed' ? 0 : SUMMARY_INTERVAL_MS,
      create: () =>
        create(t, { name: SUMMARY_CHECK_NAME, head_sha: pipeline.sha, external_id: pipeline.id, details_url: commitUrl(publicUrl, pipeline.repo, pipeline.sha), actions: SUMMARY_ACTIONS }, [state]),
      update: (id) => write(t, id, [state]),
    });
  },
};
