import type { Services } from '../../services.ts';
import { startPipeline, refLeft } from '../../pipelines/index.ts';
import { NO_INSTALLATION, PullRequestPayload } from '../payload-schemas.ts';
import { repositoryForEvent } from '../repository-sync.ts';
import { acted, ignored } from '../webhook-result.ts';
import { defineHandler, type EventContext } from '../event-handler.ts';
import { skipCiMarker, skippedFor } from '../skip-ci.ts';

const BUILD_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);
/** Reading the message must not hold the events consumer for long. */
const GET_COMMIT_TIMEOUT_MS = 10_000;

/**
 * The head commit's message: a pull_request payload has none, so it is read from GitHub. Undefined
 * (with a warning) when it cannot be, so the PR is built: a build is never lost to this lookup.
 */
async function headCommitMessage(
  svc: Services,
  context: EventContext,
  repoName: string,
  sha: string,
  installationId: number | undefined,
): Promise<string | undefined> {
  if (!svc.github || installationId === undefined) {
    svc.log.warn({ sha }, `cannot read the head commit's message (${svc.github ? 'no installation in the payload' : 'GitHub is not configured'}); building it`);
    return undefined;
  }
  const [owner = '', repo = ''] = repoName.split('/');
  try {
    // probot's client for the delivery, authenticated as its installation.
    const { data } = await context.octokit.rest.git.getCommit({ owner, repo, commit_sha: sha, request: { signal: AbortSignal.timeout(GET_COMMIT_TIMEOUT_MS) } });
    return data.message;
  } catch (err) {
    const e = err as { status?: number; message?: string };
    svc.log.warn({ sha, status: e.status, error: e.message ?? String(err) }, "could not read the head commit's message; building it");
    return undefined;
  }
}

/**
 * A PR's head gets a pipeline under ref "pull/N", unless its message asks not to build
 * (`[skip ci]`…): then nothing changes. Closing the PR cancels its work.
 */
export const onPullRequest = defineHandler({
  schema: PullRequestPayload,
  dedupe: false,
  ignore(p) {
    if (!BUILD_ACTIONS.has(p.action) && p.action !== 'closed') return `pull_request.${p.action}`;
    return p.installation ? undefined : NO_INSTALLATION;
  },
  async handle(svc: Services, p, context) {
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
    const marker = skipCiMarker(await headCommitMessage(svc, context, repoName, sha, p.installation?.id));
    if (marker) return ignored(skippedFor(marker));
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
