import type Docker from 'dockerode';
import { StepLogStore } from './log-store.ts';
import { beginEviction, CACHE_REPO, isLeased, LABEL_KEY, LABEL_PARENT, statusCode } from './step-cache.ts';

/*
 * How much disk the step cache takes.
 *
 * Docker reports an image's Size as the sum of all its layers (VirtualSize is the same number,
 * deprecated, and SharedSize is -1 unless asked for, and then counts a parent's layers as shared
 * with its children, so a chain's layers would be counted nowhere). Summing Size over the cache's
 * images would count the base image and every earlier step once per later step. What a committed
 * step really adds to the disk depends on the storage driver:
 *
 * - vfs has no copy-on-write: each layer is a directory holding a full copy of the root file
 *   system, so a committed step costs its image's whole Size. (This is why caches fill disks there:
 *   an opam switch of 800 MB becomes 800 MB more with every cached step on top of it.)
 * - Layered drivers (overlay2, btrfs, zfs, fuse-overlayfs, containerd snapshotters) store a layer
 *   as its diff. A commit adds one layer on top of its parent image, so a step costs
 *   Size(image) − Size(parent). The parent is the image's ParentId (classic image store) or else
 *   the image of its `cid.parent` key; when neither is found the whole Size is counted, an
 *   over-estimate that errs towards pruning more.
 *
 * The images counted are those tagged in the cache repository and nowhere else, plus untagged cid
 * step images kept as the parent of one of those (their own entry was pruned, but a later step
 * still builds on them: they go with their last child). An image that also has another tag (the
 * base image, whose id stands for a first step that changed no file) costs the cache nothing:
 * removing the cache's tag does not free it. Containers' writable layers and the logs of cached
 * steps (at most 8 MiB each, next to the runner) are not counted. It is an estimate: file system
 * overhead and the files a diff replaces (counted twice in Size) are ignored.
 */

/** One image of the cache, with the cached steps (keys) that point at it. */
export interface CacheImage {
  id: string;
  /** Keys tagged on this image: several when steps changed no file. Empty for a kept parent. */
  keys: string[];
  /** Disk freed when this image goes (see above). */
  bytes: number;
  /** The latest use of any of its keys. */
  lastUsed: Date;
  /** Images built on this one (they keep it on disk). */
  children: number;
}

export interface CacheUsage {
  /** Docker's storage driver, which decides the accounting. */
  driver: string;
  /** Estimated disk taken by the cache's images. */
  bytes: number;
  /** Cached steps (keys) with an image. */
  entries: number;
  images: CacheImage[];
}

interface ImageRow {
  id: string;
  parentId: string;
  size: number;
  created: number;
  tags: string[];
  labels: Record<string, string>;
}

/** What the pruner works on: every image of the engine, and the cache's among them. */
interface CacheState {
  driver: string;
  rows: Map<string, ImageRow>;
  /** key → image id, for the cache repository's tags, and the other way round. */
  keyImage: Map<string, string>;
  imageKeys: Map<string, Set<string>>;
  /** key → last use (ms). */
  lastUsed: Map<string, number>;
  /** Counted images → their cost in bytes. */
  cost: Map<string, number>;
  children: Map<string, number>;
}

const tagPrefix = (): string => `${CACHE_REPO}:`;
const isTag = (t: string): boolean => t !== '<none>:<none>';

async function readCache(docker: Docker, store: StepLogStore): Promise<CacheState> {
  const [info, list] = await Promise.all([docker.info() as Promise<{ Driver?: string }>, docker.listImages({ all: true })]);
  const driver = info.Driver ?? 'unknown';
  const rows = new Map<string, ImageRow>();
  for (const i of list) {
    rows.set(i.Id, {
      id: i.Id,
      parentId: i.ParentId ?? '',
      size: Math.max(0, i.Size ?? 0),
      created: (i.Created ?? 0) * 1000,
      tags: (i.RepoTags ?? []).filter(isTag),
      labels: i.Labels ?? {},
    });
  }
  const children = new Map<string, number>();
  for (const r of rows.values()) if (r.parentId) children.set(r.parentId, (children.get(r.parentId) ?? 0) + 1);

  const keyImage = new Map<string, string>();
  const imageKeys = new Map<string, Set<string>>();
  const lastUsed = new Map<string, number>();
  for (const r of rows.values()) {
    for (const t of r.tags) {
      if (!t.startsWith(tagPrefix())) continue;
      const key = t.slice(tagPrefix().length);
      keyImage.set(key, r.id);
      imageKeys.set(r.id, (imageKeys.get(r.id) ?? new Set()).add(key));
      // Last use is the replay log's mtime, touched on every hit; the image's creation without one.
      const used = await store.lastUsed(key).catch(() => undefined);
      lastUsed.set(key, used?.getTime() ?? r.created);
    }
  }

  const sizeOfParent = (r: ImageRow): number => {
    const byId = rows.get(r.parentId);
    if (byId !== undefined) return byId.size;
    const parentKey = r.labels[LABEL_PARENT];
    if (parentKey === undefined) return 0;
    const parent = rows.get(parentKey) ?? rows.get(keyImage.get(parentKey) ?? '');
    return parent?.size ?? 0;
  };
  const costOf = (r: ImageRow): number => (driver === 'vfs' ? r.size : Math.max(0, r.size - sizeOfParent(r)));

  const cost = new Map<string, number>();
  for (const id of new Set(keyImage.values())) {
    const r = rows.get(id);
    if (r === undefined) continue;
    if (r.tags.every((t) => t.startsWith(tagPrefix()))) cost.set(id, costOf(r));
    // Untagged cid step images under it: parents whose own entry was pruned.
    for (let p = rows.get(r.parentId); p !== undefined && p.tags.length === 0 && p.labels[LABEL_KEY] !== undefined; p = rows.get(p.parentId)) {
      if (cost.has(p.id)) break;
      cost.set(p.id, costOf(p));
    }
  }
  return { driver, rows, keyImage, imageKeys, lastUsed, cost, children };
}

async function imageExists(docker: Docker, id: string): Promise<boolean> {
  return docker
    .getImage(id)
    .inspect()
    .then(
      () => true,
      (e: unknown) => statusCode(e) !== 404,
    );
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

function usageOf(s: CacheState): CacheUsage {
  const ids = new Set([...s.cost.keys(), ...s.imageKeys.keys()]);
  const images = [...ids].map((id): CacheImage => {
    const keys = [...(s.imageKeys.get(id) ?? [])];
    const used = Math.max(...keys.map((k) => s.lastUsed.get(k) ?? 0), keys.length === 0 ? (s.rows.get(id)?.created ?? 0) : 0);
    return { id, keys, bytes: s.cost.get(id) ?? 0, lastUsed: new Date(used), children: s.children.get(id) ?? 0 };
  });
  return { driver: s.driver, bytes: sum(s.cost), entries: s.keyImage.size, images };
}

/** The step cache's size and entries, as the pruner counts them (see the accounting note above). */
export async function cacheUsage(opts: { docker: Docker; logStore?: StepLogStore }): Promise<CacheUsage> {
  return usageOf(await readCache(opts.docker, opts.logStore ?? new StepLogStore()));
}

export interface Eviction {
  key: string;
  reason: 'age' | 'size';
  lastUsed: Date;
  /** Disk freed by this removal: 0 when the image stays (another key or a later step uses it). */
  bytes: number;
}

export interface PruneResult {
  /** Cached steps removed. */
  images: number;
  /** Replay logs removed without an image (config steps, images removed by hand). */
  logs: number;
  evicted: Eviction[];
  freedBytes: number;
  /** The cache after pruning. */
  bytes: number;
  entries: number;
  /** Keys that were due for removal but are in use (a running build's, or a container's image). */
  inUse: string[];
  driver: string;
}

export interface PruneOptions {
  docker: Docker;
  /** Remove cached steps unused for this long; 0 or absent: no age limit. */
  olderThanMs?: number;
  /** Then remove the least recently used ones until the cache takes at most this; 0 or absent: no limit. */
  maxBytes?: number;
  logStore?: StepLogStore;
  now?: Date;
}

/**
 * Prunes the step cache of `CID_CACHE_REPO`:
 *
 * 1. by age: every cached step unused for `olderThanMs` loses its tag (an image still parent of a
 *    newer cached step is freed with its last child);
 * 2. by size: while the cache takes more than `maxBytes`, the least recently used image that can
 *    be freed goes with all its keys. One a later cached step builds on cannot be freed, so it waits
 *    for its children; as a hit on a step also touches every step before it, that is nearly always
 *    LRU order anyway.
 *
 * Never removed: a step leased by a running build of this process, or whose image a container
 * uses (Docker refuses; another runner on the same engine may be running it). Replay logs go with
 * their keys, and logs without an image once older than `olderThanMs`.
 */
export async function pruneCache(opts: PruneOptions): Promise<PruneResult> {
  const { docker } = opts;
  const store = opts.logStore ?? new StepLogStore();
  const now = (opts.now ?? new Date()).getTime();
  const cutoff = opts.olderThanMs !== undefined && opts.olderThanMs > 0 ? now - opts.olderThanMs : -Infinity;
  const maxBytes = opts.maxBytes !== undefined && opts.maxBytes > 0 ? opts.maxBytes : Infinity;
  const s = await readCache(docker, store);
  const containerImages = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
  let total = sum(s.cost);
  const evicted: Eviction[] = [];
  const inUse = new Set<string>();

  const keysOf = (id: string): string[] => [...(s.imageKeys.get(id) ?? [])];
  const dropKey = (key: string): void => {
    const id = s.keyImage.get(key);
    s.keyImage.delete(key);
    if (id === undefined) return;
    s.imageKeys.get(id)?.delete(key);
    if (s.imageKeys.get(id)?.size === 0) s.imageKeys.delete(id);
  };
  const imageGone = (id: string): number => {
    const freed = s.cost.get(id) ?? 0;
    s.cost.delete(id);
    const parent = s.rows.get(id)?.parentId;
    if (parent) s.children.set(parent, Math.max(0, (s.children.get(parent) ?? 1) - 1));
    s.rows.delete(id);
    for (const k of keysOf(id)) dropKey(k);
    total -= freed;
    return freed;
  };

  /** Removes one key's tag; false when it is in use. */
  const removeKey = async (key: string, reason: Eviction['reason']): Promise<boolean> => {
    const id = s.keyImage.get(key);
    if (id === undefined) return true;
    const end = beginEviction([key]);
    if (end === undefined) return false;
    let freed = 0;
    try {
      const records = (await docker.getImage(`${CACHE_REPO}:${key}`).remove({ noprune: false })) as { Deleted?: string; Untagged?: string }[];
      dropKey(key);
      // Deleted lists the image and the untagged parents Docker pruned with it.
      for (const r of records ?? []) if (r.Deleted !== undefined) freed += imageGone(r.Deleted);
    } catch (e) {
      // A conflict (409): a container uses the image.
      if (statusCode(e) === 409) return false;
      if (statusCode(e) !== 404) throw e;
      // Removed by someone else meanwhile (another runner on this engine, an operator): not ours
      // to report, but its bytes are no longer the cache's if the image went too.
      dropKey(key);
      if (keysOf(id).length === 0 && !(await imageExists(docker, id))) imageGone(id);
      await store.remove(key);
      return true;
    } finally {
      end();
    }
    await store.remove(key);
    evicted.push({ key, reason, lastUsed: new Date(s.lastUsed.get(key) ?? 0), bytes: freed });
    return true;
  };

  // 1. By age, oldest first.
  const byAge = [...s.lastUsed].filter(([, used]) => used < cutoff).sort((a, b) => a[1] - b[1]);
  for (const [key] of byAge) if (!(await removeKey(key, 'age'))) inUse.add(key);

  // 2. By size: the least recently used image nothing else keeps, until under budget.
  const blocked = new Set<string>();
  while (total > maxBytes) {
    let pick: { id: string; keys: string[]; used: number } | undefined;
    for (const id of s.cost.keys()) {
      if (blocked.has(id) || (s.children.get(id) ?? 0) > 0) continue;
      const keys = keysOf(id);
      if (keys.length === 0) continue;
      const used = Math.max(...keys.map((k) => s.lastUsed.get(k) ?? 0));
      if (pick === undefined || used < pick.used) pick = { id, keys, used };
    }
    if (pick === undefined) break;
    // Checked first: untagging some keys of an image that then stays would lose them for nothing.
    if (containerImages.has(pick.id) || pick.keys.some(isLeased)) {
      blocked.add(pick.id);
      for (const k of pick.keys) inUse.add(k);
      continue;
    }
    for (const key of pick.keys.sort()) {
      if (!(await removeKey(key, 'size'))) {
        inUse.add(key);
        break;
      }
    }
    // Still there (in use, or a step was built on it meanwhile): not a candidate any more.
    if (s.cost.has(pick.id)) blocked.add(pick.id);
  }

  // Logs whose image is gone (config steps have none of their own): age decides.
  let removedLogs = 0;
  if (cutoff > -Infinity) {
    for (const key of await store.keys()) {
      if (s.keyImage.has(key)) continue;
      const used = await store.lastUsed(key);
      if (used !== undefined && used.getTime() >= cutoff) continue;
      await store.remove(key);
      removedLogs += 1;
    }
  }
  for (const k of inUse) if (!s.keyImage.has(k)) inUse.delete(k);
  return {
    images: evicted.length,
    logs: removedLogs,
    evicted,
    freedBytes: evicted.reduce((a, e) => a + e.bytes, 0),
    bytes: total,
    entries: s.keyImage.size,
    inUse: [...inUse],
    driver: s.driver,
  };
}
