import type Docker from 'dockerode';
import type { BaseImage } from './base-image.ts';
import { StepLogStore } from './log-store.ts';

/** Step results are local images tagged `cid-cache:<key>`; the tag is the whole index. */
/**
 * Where step results are tagged. CID_CACHE_REPO gives a runner (or a test run) a cache of its own,
 * which can then be removed as a whole.
 */
export const CACHE_REPO = /^[a-z0-9][a-z0-9._/-]*$/.test(process.env.CID_CACHE_REPO ?? '') ? (process.env.CID_CACHE_REPO as string) : 'cid-cache';
export const cacheRef = (key: string): string => `${CACHE_REPO}:${key}`;

/** Labels on every committed step image, so cache images explain themselves. */
export const LABEL_KEY = 'cid.key';
export const LABEL_PARENT = 'cid.parent';
export const LABEL_OP = 'cid.op';

const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

/**
 * The id of the image cached under `key`, if any. The tag is the whole index: a step that changed
 * no file is recorded by tagging its parent image, which carries the parent's labels.
 */
export async function lookupStep(docker: Docker, key: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(cacheRef(key)).inspect()).Id;
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw e;
  }
}

/** Records `imageId` (unchanged by the step) as the result of `key`. */
export async function tagStep(docker: Docker, imageId: string, key: string): Promise<void> {
  await docker.getImage(imageId).tag({ repo: CACHE_REPO, tag: key });
}

/**
 * Commits a stopped (or never started) container as the result of a step. The container's Env,
 * WorkingDir and User go into the image config, so the image carries the env/workdir/user steps
 * before it; the entrypoint we ran with is replaced by the base image's own. Without `key` the
 * image is left untagged (cache off) and the caller removes it. `workdir` sets WorkingDir for
 * containers created without one.
 */
export async function commitStep(
  container: Docker.Container,
  opts: { key?: string; parent: string; op: string; base: BaseImage; workdir?: string },
): Promise<string> {
  const labels: Record<string, string> = { [LABEL_PARENT]: opts.parent, [LABEL_OP]: opts.op };
  if (opts.key !== undefined) labels[LABEL_KEY] = opts.key;
  const query: Record<string, string | boolean> = { container: container.id, pause: false, comment: `cid ${opts.op} step` };
  if (opts.key !== undefined) Object.assign(query, { repo: CACHE_REPO, tag: opts.key });
  const res = (await container.commit({
    _query: query,
    _body: { Cmd: opts.base.cmd, Entrypoint: opts.base.entrypoint ?? [], Labels: labels, WorkingDir: opts.workdir },
  })) as { Id: string };
  return res.Id;
}

export interface PruneResult {
  images: number;
  logs: number;
}

/**
 * Drops cached steps not used for `olderThanMs` (last use is the replay log's mtime, touched on
 * every hit; the image's creation time when it has no log), and logs whose image is gone. An
 * image still parent of a newer cached step loses its tag and is freed with its last child.
 */
export async function pruneCache(opts: {
  docker: Docker;
  olderThanMs: number;
  logStore?: StepLogStore;
  now?: Date;
}): Promise<PruneResult> {
  const store = opts.logStore ?? new StepLogStore();
  const cutoff = (opts.now ?? new Date()).getTime() - opts.olderThanMs;
  // By name, not label: an unchanged step's tag sits on an image without our labels.
  const images = await opts.docker.listImages({ filters: { reference: [CACHE_REPO] } });
  const live = new Set<string>();
  let removedImages = 0;
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) {
      if (!tag.startsWith(`${CACHE_REPO}:`)) continue;
      const key = tag.slice(CACHE_REPO.length + 1);
      const used = (await store.lastUsed(key).catch(() => undefined))?.getTime() ?? img.Created * 1000;
      if (used >= cutoff) {
        live.add(key);
        continue;
      }
      try {
        await opts.docker.getImage(tag).remove({ noprune: false });
        removedImages += 1;
        await store.remove(key);
      } catch (e) {
        // In use by a running step's container, or removed concurrently: keep it for next time.
        if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e;
        live.add(key);
      }
    }
  }
  let removedLogs = 0;
  for (const key of await store.keys()) {
    if (live.has(key)) continue;
    // Config steps (env, workdir, user) have a log but no image of their own: age decides.
    const used = await store.lastUsed(key);
    if (used !== undefined && used.getTime() >= cutoff) continue;
    await store.remove(key);
    removedLogs += 1;
  }
  return { images: removedImages, logs: removedLogs };
}
