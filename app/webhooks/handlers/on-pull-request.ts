import type { Services } from '../../services.ts';
import { startPipeline, refLeft } from '../../pipelines/index.ts';
import { PullRequestPayload } from '../payload-schemas.ts';
import { repositoryForEvent } from '../repository-sync.ts';
import { acted, ignored } from '../webhook-result.ts';
import { defineHandler } from '../event-handler.ts';

const BUILD_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

/** A PR's head gets a pipeline under ref "pull/N"; closing the PR cancels its work. */
export const onPullRequest = defineHandler({
  schema: PullRequestPayload,
  dedupe: false,
  ignore: (p) => (BUILD_ACTIONS.has(p.action) || p.action === 'closed' ? undefined : `pull_request.${p.action}`),
  async handle(svc: Services, p) {
    const repoName = p.repository.full_name;
    const ref = `pull/${p.number}`;
    if (p.action === 'closed') {
      const old = await svc.store.refs.delete(repoName, ref);
      const r = old ? await refLeft(svc, repoName, old, ref) : { cancelled: 0 };
      return acted('pull-request-closed', r);
    }
    const repo = await repositoryForEvent(svc, p.repository, p.installation?.id);
    if (!repo) return ignored('repository is not active in cid');
    const sha = p.pull_request.head.sha;
    // A fork's head repository may be gone (null); either way its code is untrusted: no secrets.
    const fromFork = p.pull_request.head.repo?.full_name !== repoName;
    const r = await startPipeline(svc, {
      repo: repoName,
      sha,
      ref,
      installationId: p.installation?.id,
      source: {
        kind: 'github',
        repo: repoName,
        sha,
        cloneUrl: p.repository.clone_url,
        fetchRef: `refs/pull/${p.number}/head`,
        installationId: p.installation?.id,
        fromFork,
        // The base the head is merged into for opam-repository checks (other jobs ignore it).
        ...(p.pull_request.base.sha ? { baseSha: p.pull_request.base.sha } : {}),
      },
    });
    return acted('pipeline', r);
  },
});
