import type { Job, Pipeline } from '../../lib/contract/index.ts';
import type { InstallationOctokit } from '../github/index.ts';
import { commitUrl } from '../web/paths.ts';
import type { Services } from '../services.ts';
import { reportOnce, type ReportOutcome } from '../reporters/report-once.ts';
import type { PipelineView, Reporter } from '../reporters/reporter.ts';
import { reproduceScript } from '../web/reproduce.ts';
import { COMMENT_MARKER, commentBody } from './report/comment.ts';
import { linterStatus, opamCiStatus } from './report/statuses.ts';
import { viewOf } from './report/summary.ts';
import type { OpamPipelineView } from './report/summary.ts';

// Reports an opam-repository PR on GitHub, off the request path (the results consumer): commit
// statuses as opam-repo-ci sets them, and one comment, created once and edited in place at most
// once per COMMENT_EDIT_INTERVAL_MS (reportOnce defers a sooner change to one later edit).

export const COMMENT_EDIT_INTERVAL_MS = 10_000;

export function isConfiguredOpamRepository(svc: Pick<Services, 'config'>, repo: string): boolean {
  return svc.config.opamRepositories.some((r) => r.toLowerCase() === repo.toLowerCase());
}

/** Whether this pipeline is an opam-repository PR's (known once the analysis says so, or configured). */
export function isOpamPr(svc: Pick<Services, 'config'>, v: OpamPipelineView): boolean {
  if (v.analysisJob?.source.baseSha === undefined) return false;
  return v.analysis !== undefined ? v.analysis.baseSha !== undefined : isConfiguredOpamRepository(svc, v.pipeline.repo);
}

async function setStatuses(svc: Services, octokit: InstallationOctokit, v: OpamPipelineView): Promise<void> {
  const p = v.pipeline;
  const [owner, repo] = p.repo.split('/') as [string, string];
  for (const st of [opamCiStatus(v), linterStatus(v)]) {
    // A status has no id: setting it again is how it changes.
    const send = async (): Promise<number> => {
      await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: p.sha,
        state: st.state,
        description: st.description,
        context: st.context,
        target_url: commitUrl(svc.config.publicUrl, p.repo, p.sha),
      });
      return 0;
    };
    await reportOnce(svc, { key: `status#${p.repo}@${p.sha}#${st.context}`, pipelineId: p.id, content: `${st.state}:${st.description}`, create: send, update: async () => void (await send()) });
  }
}

async function findComment(octokit: InstallationOctokit, owner: string, repo: string, issue: number, appId: number): Promise<number | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
  const mine = comments.find(
    (c) => (c.body ?? '').includes(COMMENT_MARKER) && (c.performed_via_github_app?.id === appId || c.user?.type === 'Bot'),
  );
  return mine?.id;
}

/** Creates or edits the PR's comment so it shows `body`, no more often than the interval. */
export function syncComment(svc: Services, octokit: InstallationOctokit, pipeline: Pipeline, issue: number, body: string): Promise<ReportOutcome> {
  const [owner, repo] = pipeline.repo.split('/') as [string, string];
  return reportOnce(svc, {
    key: `comment#${pipeline.repo}#${issue}`,
    pipelineId: pipeline.id,
    content: body,
    intervalMs: COMMENT_EDIT_INTERVAL_MS,
    // The comment may exist from before its record did (a lost record, another deployment).
    find: () => findComment(octokit, owner, repo, issue, svc.github?.appId ?? 0),
    create: async () => (await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body })).data.id,
    update: async (commentId) => {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
    },
  });
}

/**
 * Brings an opam-repository PR's statuses and comment up to date with its pipeline. Does
 * nothing for other pipelines. The comment is only written for the PR's current head.
 */
export async function reportOpamPr(svc: Services, pipeline: Pipeline, jobs: readonly Job[]): Promise<void> {
  const gh = svc.github;
  if (!gh || pipeline.installationId === undefined) return;
  const v = viewOf(pipeline, jobs);
  if (!isOpamPr(svc, v)) return;
  const octokit = await gh.installation(pipeline.installationId);
  await setStatuses(svc, octokit, v);
  const body = commentBody({ view: v, publicUrl: svc.config.publicUrl, reproduce: reproduceScript });
  for (const ref of pipeline.refs) {
    const m = /^pull\/(\d+)$/.exec(ref);
    if (!m) continue;
    const head = await svc.store.refs.get(pipeline.repo, ref);
    if (head?.sha !== pipeline.sha) continue;
    const outcome = await syncComment(svc, octokit, pipeline, Number(m[1]), body);
    svc.log.debug({ pr: Number(m[1]), outcome }, 'opam-repository comment');
  }
}

/** The opam-repository PR reporter: statuses and the comment of an opam-repository PR's pipeline. */
export const opamRepoPrReporter: Reporter = {
  name: 'opam-repository-pr',
  report: (svc: Services, { pipeline, jobs }: PipelineView) => reportOpamPr(svc, pipeline, jobs),
};
