import type Docker from 'dockerode';
import type { BaseImage } from './base-image.ts';

/** Step results are local images tagged `cid-cache:<key>`; the tag is the whole index. */
/**
 * Where step results are tagged. CID_CACHE_REPO gives a runner (or a test run) a cache of its own,
 * which can then be removed as a whole.
 */
export let CACHE_REPO = 'cid-cache';
/** Set once at start from the runner's validated config (runner/config: CID_CACHE_REPO). */
export const useCacheRepo = (repo: string): void => void (CACHE_REPO = repo);
export const cacheRef = (key: string): string => `${CACHE_REPO}:${key}`;

/** Labels on every committed step image, so cache images explain themselves. */
export const LABEL_KEY = 'cid.key';
export const LABEL_PARENT = 'cid.parent';
export const LABEL_OP = 'cid.op';

export const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

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

// Steps in use by the builds of this process, and steps the pruner (cache-prune.ts) is removing.
// A build leases a key before looking it up and keeps it until it ends, so the pruner never removes
// the image a running step is started from or committed on; a lease taken while the pruner removes
// that key waits for the removal, after which the lookup misses and the step runs again. (Other
// processes sharing the Docker engine are protected by Docker itself: an image a container uses
// cannot be removed.)
const leases = new Map<string, number>();
const evictions = new Map<string, Promise<void>>();

/** Marks `key` as used by a running build until the returned function is called. */
export async function leaseStep(key: string): Promise<() => void> {
  for (let e = evictions.get(key); e !== undefined; e = evictions.get(key)) await e;
  leases.set(key, (leases.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (leases.get(key) ?? 1) - 1;
    if (n > 0) leases.set(key, n);
    else leases.delete(key);
  };
}

export const isLeased = (key: string): boolean => leases.has(key);

/**
 * For the pruner: undefined when one of `keys` is leased (leave it alone), else marks them as being
 * removed, so leases wait, until the returned function is called.
 */
export function beginEviction(keys: readonly string[]): (() => void) | undefined {
  if (keys.some((k) => leases.has(k))) return undefined;
  let done = (): void => undefined;
  const p = new Promise<void>((resolve) => (done = resolve));
  for (const k of keys) evictions.set(k, p);
  return () => {
    for (const k of keys) if (evictions.get(k) === p) evictions.delete(k);
    done();
  };
}
