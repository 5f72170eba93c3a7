import type { Services } from '../../services.ts';
import { startPipeline, refLeft } from '../../pipelines/index.ts';
import { PushPayload } from '../payload-schemas.ts';
import { repositoryForEvent } from '../repository-sync.ts';
import { acted, ignored, type WebhookResult } from '../webhook-result.ts';

/** Branch heads get a pipeline; tags are ignored; a deleted branch cancels its work. */
export async function onPush(svc: Services, raw: unknown): Promise<WebhookResult> {
  const p = PushPayload.parse(raw);
  if (p.ref.startsWith('refs/tags/')) return ignored('tag push');
  if (!p.ref.startsWith('refs/heads/')) return ignored(`not a branch: ${p.ref}`);
  const repoName = p.repository.full_name;
  if (p.deleted || /^0+$/.test(p.after)) {
    const old = await svc.store.refs.delete(repoName, p.ref);
    const r = old ? await refLeft(svc, repoName, old, p.ref) : { cancelled: 0 };
    return acted('branch-deleted', r);
  }
  if (!/^[0-9a-f]{40}$/.test(p.after)) return ignored('push without a commit sha');
  const repo = await repositoryForEvent(svc, p.repository, p.installation?.id);
  if (!repo) return ignored('repository is not active in cid');
  const r = await startPipeline(svc, {
    repo: repoName,
    sha: p.after,
    ref: p.ref,
    installationId: p.installation?.id,
    source: { kind: 'github', repo: repoName, sha: p.after, cloneUrl: p.repository.clone_url, installationId: p.installation?.id, fromFork: false },
  });
  return acted('pipeline', r);
}
