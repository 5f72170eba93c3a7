import { createHash } from 'node:crypto';
import type { Job, Pipeline } from '../../lib/contract/index.ts';
import type { InstallationOctokit } from '../github/index.ts';
import { commitUrl } from '../web/paths.ts';
import type { Services } from '../services.ts';
import { reproduceScript } from '../web/reproduce.ts';
import { COMMENT_MARKER, commentBody } from './report/comment.ts';
import { linterStatus, opamCiStatus } from './report/statuses.ts';
import { viewOf } from './report/summary.ts';
import type { OpamPipelineView } from './report/summary.ts';

// Reports an opam-repository PR on GitHub, off the request path (the results consumer): commit
// statuses as opam-repo-ci sets them, and one comment, created once and edited in place at most
// once per COMMENT_EDIT_INTERVAL_MS. A change that comes sooner schedules one deferred edit: a
// `pipeline-changed` message delayed with SQS's DelaySeconds; whatever happened meanwhile is in
// the body that edit writes.

export const COMMENT_EDIT_INTERVAL_MS = 10_000;
/** How long a consumer may take to find or create the comment before another may try. */
const CREATE_LEASE_MS = 30_000;

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

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
    const key = `status#${p.repo}@${p.sha}#${st.context}`;
    const value = `${st.state}:${st.description}`;
    if (!(await svc.store.reports.setIfChanged(key, value))) continue;
    try {
      await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: p.sha,
        state: st.state,
        description: st.description,
        context: st.context,
        target_url: commitUrl(svc.config.publicUrl, p.repo, p.sha),
      });
    } catch (err) {
      // Forget it, so the redelivered message sends it again.
      await svc.store.reports.clearValue(key, value);
      throw err;
    }
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
export async function syncComment(svc: Services, octokit: InstallationOctokit, pipeline: Pipeline, issue: number, body: string): Promise<'created' | 'edited' | 'unchanged' | 'deferred'> {
  const reports = svc.store.reports;
  const [owner, repo] = pipeline.repo.split('/') as [string, string];
  const id = `comment#${pipeline.repo}#${issue}`;
  const bodyHash = hash(body);
  const now = Date.now();
  const state = await reports.comment(id);
  if (state?.commentId !== undefined && state.bodyHash === bodyHash) return 'unchanged';

  const defer = async (due: number): Promise<'deferred'> => {
    if (await reports.scheduleDeferred(id, due, now)) {
      await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: pipeline.id }, Math.min(900, Math.max(1, Math.ceil((due - now) / 1000))));
    }
    return 'deferred';
  };

  if (state?.commentId === undefined) {
    if (!(await reports.claimCreate(id, now, CREATE_LEASE_MS))) return defer(now + COMMENT_EDIT_INTERVAL_MS);
    // The comment may exist from before this record did (a lost record, another deployment).
    const found = await findComment(octokit, owner, repo, issue, svc.github?.appId ?? 0);
    const commentId =
      found ?? (await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body })).data.id;
    if (found !== undefined) await octokit.rest.issues.updateComment({ owner, repo, comment_id: found, body });
    await reports.created(id, commentId, now, bodyHash);
    return found === undefined ? 'created' : 'edited';
  }
  const last = state.lastEditAt ?? 0;
  if (now - last < COMMENT_EDIT_INTERVAL_MS) return defer(last + COMMENT_EDIT_INTERVAL_MS);
  if (!(await reports.claimEdit(id, state.lastEditAt, now))) return defer(now + COMMENT_EDIT_INTERVAL_MS);
  await octokit.rest.issues.updateComment({ owner, repo, comment_id: state.commentId, body });
  await reports.edited(id, bodyHash);
  return 'edited';
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
