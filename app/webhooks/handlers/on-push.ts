import type { Services } from '../../services.ts';
import { startPipeline, refLeft } from '../../pipelines/index.ts';
import { NO_INSTALLATION, PushPayload } from '../payload-schemas.ts';
import { repositoryForEvent } from '../repository-sync.ts';
import { acted, ignored } from '../webhook-result.ts';
import { defineHandler } from '../event-handler.ts';
import { skipCiMarker, skippedFor } from '../skip-ci.ts';

const isZero = (sha: string) => /^0+$/.test(sha);

/**
 * Branch heads get a pipeline, unless the head commit's message asks not to build (`[skip ci]`…):
 * then nothing changes, the branch's previous pipeline included. Tags are ignored; a deleted
 * branch cancels its work.
 */
export const onPush = defineHandler({
  schema: PushPayload,
  dedupe: false,
  ignore(p) {
    if (!p.installation) return NO_INSTALLATION;
    if (p.ref.startsWith('refs/tags/')) return 'tag push';
    if (!p.ref.startsWith('refs/heads/')) return `not a branch: ${p.ref}`;
    if (!p.deleted && !isZero(p.after) && !/^[0-9a-f]{40}$/.test(p.after)) return 'push without a commit sha';
    return undefined;
  },
  async handle(svc: Services, p) {
    const repoName = p.repository.full_name;
    if (p.deleted || isZero(p.after)) {
      const old = await svc.store.refs.delete(repoName, p.ref);
      const r = old ? await refLeft(svc, repoName, old, p.ref) : { cancelled: 0 };
      return acted('branch-deleted', r);
    }
    const repo = await repositoryForEvent(svc, p.repository, p.installation?.id);
    if (!repo) return ignored('repository is not active in cid');
    const marker = skipCiMarker(p.head_commit?.message);
    if (marker) return ignored(skippedFor(marker));
    const r = await startPipeline(svc, {
      repo: repoName,
      sha: p.after,
      ref: p.ref,
      installationId: p.installation?.id,
      source: { kind: 'github', repo: repoName, sha: p.after, cloneUrl: p.repository.clone_url, installationId: p.installation?.id, fromFork: false },
    });
    return acted('pipeline', r);
  },
});
