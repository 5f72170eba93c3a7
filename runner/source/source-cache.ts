import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

// The source of a commit, fetched once per runner and shared by the commit's jobs. A job only
// reads its source (the analysis lists and reads files; a build's `copy` steps upload them into a
// container, which never mounts the directory), so one tree serves every job of the commit:
// - single flight: jobs that want a tree being fetched wait for that fetch;
// - read-only: the tree loses its write bits once fetched, so a stray write fails rather than
//   changing what another job builds (a runner running as root is not stopped by mode bits:
//   there the guarantee is that no runner code writes to a source tree);
// - a failed fetch is forgotten (its directory removed), so the next job fetches again;
// - bounded: trees no job uses are removed, least recently used first, beyond `maxEntries` trees
//   or `maxBytes` of disk. A tree in use is never removed; it can take the cache over its bounds
//   until its jobs end.

export type FetchResult = 'fetched' | 'reused' | 'failed';

export interface SourceCacheOptions {
  /** The runner's own directory for trees; emptied before its first use (a previous run's leftovers). */
  dir: string;
  /** Trees kept; 0: no cache, every job fetches its own tree, removed when the job ends. */
  maxEntries: number;
  /** Disk taken by the kept trees (counted in allocated blocks); 0: no byte bound. */
  maxBytes: number;
  /** Told of every fetch and reuse (for the metrics and the log). */
  onFetch?: (result: FetchResult, key: string) => void;
  /** Told when trees are removed to keep within the bounds. */
  onEvict?: (e: { key: string; bytes: number; reason: 'entries' | 'bytes' }) => void;
}

/** A job's hold on a tree: the tree stays until every holder has released it. */
export interface SourceLease {
  dir: string;
  /** Fetched for another job (earlier, or at the same time) of the same commit. */
  reused: boolean;
  release(): Promise<void>;
}

interface Entry {
  key: string;
  dir: string;
  /** Settles when the fetch has ended; rejects when it failed. */
  ready: Promise<void>;
  done: boolean;
  bytes: number;
  users: number;
  lastUsed: number;
}

/** Walks a tree without following links: removes the write bits and counts its disk use. */
async function sealTree(dir: string): Promise<number> {
  let bytes = 0;
  const walk = async (path: string): Promise<void> => {
    const st = await lstat(path);
    bytes += st.blocks * 512;
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
    await chmod(path, st.mode & 0o7555);
  };
  await walk(dir);
  return bytes;
}

/** Removes a tree sealed by sealTree: its directories get their write bit back first (as a non-root owner needs). */
async function removeTree(dir: string): Promise<void> {
  const unseal = async (path: string): Promise<void> => {
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isDirectory()) return;
    await chmod(path, (st.mode & 0o7777) | 0o700).catch(() => undefined);
    for (const name of await readdir(path).catch(() => [])) await unseal(join(path, name));
  };
  await unseal(dir);
  await rm(dir, { recursive: true, force: true });
}

const dirName = (key: string, n: number): string => `${createHash('sha256').update(key).digest('hex').slice(0, 16)}-${n}`;

export class SourceCache {
  private readonly entries = new Map<string, Entry>();
  private prepared: Promise<void> | undefined;
  private serial = 0;

  constructor(private readonly o: SourceCacheOptions) {}

  get enabled(): boolean {
    return this.o.maxEntries > 0;
  }

  /** Trees kept or being fetched, and the disk the fetched ones take. */
  get usage(): { entries: number; bytes: number } {
    let bytes = 0;
    for (const e of this.entries.values()) bytes += e.bytes;
    return { entries: this.entries.size, bytes };
  }

  /**
   * The tree for `key`: the one fetched already, the one being fetched, or a new one that `fetch`
   * fills. Release the lease when the job is done with it.
   */
  async acquire(key: string, fetch: (dir: string) => Promise<void>): Promise<SourceLease> {
    this.prepared ??= removeTree(this.o.dir).then(() => mkdir(this.o.dir, { recursive: true }).then(() => undefined));
    await this.prepared;
    if (!this.enabled) return this.uncached(key, fetch);

    const existing = this.entries.get(key);
    if (existing) {
      existing.users++;
      try {
        await existing.ready;
      } catch (err) {
        existing.users--;
        throw err;
      }
      existing.lastUsed = Date.now();
      this.o.onFetch?.('reused', key);
      return this.lease(existing, true);
    }

    const entry: Entry = { key, dir: join(this.o.dir, dirName(key, ++this.serial)), ready: Promise.resolve(), done: false, bytes: 0, users: 1, lastUsed: Date.now() };
    entry.ready = (async () => {
      try {
        await mkdir(entry.dir);
        await fetch(entry.dir);
        entry.bytes = await sealTree(entry.dir);
        entry.done = true;
      } catch (err) {
        // Forgotten at once: a job that asks later fetches again.
        if (this.entries.get(key) === entry) this.entries.delete(key);
        await removeTree(entry.dir).catch(() => undefined);
        throw err;
      }
    })();
    this.entries.set(key, entry);
    try {
      await entry.ready;
    } catch (err) {
      this.o.onFetch?.('failed', key);
      throw err;
    }
    this.o.onFetch?.('fetched', key);
    await this.evict();
    return this.lease(entry, false);
  }

  /** Removes every tree no job holds (at shutdown). */
  async clear(): Promise<void> {
    await Promise.all(
      [...this.entries.values()]
        .filter((e) => e.done && e.users === 0)
        .map((e) => {
          this.entries.delete(e.key);
          return removeTree(e.dir);
        }),
    );
  }

  private lease(entry: Entry, reused: boolean): SourceLease {
    let released = false;
    return {
      dir: entry.dir,
      reused,
      release: async () => {
        if (released) return;
        released = true;
        entry.users--;
        entry.lastUsed = Date.now();
        await this.evict();
      },
    };
  }

  private async uncached(key: string, fetch: (dir: string) => Promise<void>): Promise<SourceLease> {
    const dir = join(this.o.dir, dirName(key, ++this.serial));
    try {
      await mkdir(dir);
      await fetch(dir);
    } catch (err) {
      await removeTree(dir).catch(() => undefined);
      this.o.onFetch?.('failed', key);
      throw err;
    }
    this.o.onFetch?.('fetched', key);
    let released = false;
    return { dir, reused: false, release: async () => (released ? undefined : ((released = true), removeTree(dir))) };
  }

  /** Least recently used unheld trees first, until within both bounds (or only held trees remain). */
  private async evict(): Promise<void> {
    const removals: Promise<void>[] = [];
    for (;;) {
      const { entries, bytes } = this.usage;
      const reason = entries > this.o.maxEntries ? 'entries' : this.o.maxBytes > 0 && bytes > this.o.maxBytes ? 'bytes' : undefined;
      if (reason === undefined) break;
      const victim = [...this.entries.values()].filter((e) => e.done && e.users === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (victim === undefined) break;
      this.entries.delete(victim.key);
      this.o.onEvict?.({ key: victim.key, bytes: victim.bytes, reason });
      removals.push(removeTree(victim.dir));
    }
    await Promise.all(removals);
  }
}
