import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, posix, sep } from 'node:path';
import { CopySourceError } from './errors.ts';
import { makeExcluder } from './exclude.ts';

/** One file, directory or symlink a `copy` step puts into the container. */
export interface CopyEntry {
  /** Absolute path in the container, without a trailing "/". */
  dest: string;
  type: 'file' | 'dir' | 'symlink';
  /**
   * Normalised as git does (0755 for directories and executables, 0644 otherwise), so the key and
   * the result do not depend on the umask of the machine that checked the source out.
   */
  mode: number;
  size: number;
  mtimeMs: number;
  hostPath: string;
  sha256?: string;
  linkTarget?: string;
}

/** What of a copy goes into its cache key: content and place, never timestamps. */
export interface CopyManifestEntry {
  path: string;
  type: CopyEntry['type'];
  mode: number;
  sha256?: string;
  target?: string;
}

export const manifestOf = (entries: readonly CopyEntry[]): CopyManifestEntry[] =>
  entries.map((e) => ({ path: e.dest, type: e.type, mode: e.mode, sha256: e.sha256, target: e.linkTarget }));

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const isInside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Lists what copying `src` (paths relative to `sourceDir`) into the container directory `dstDir`
 * puts where, with the content hash of every file. A directory's contents go into `dstDir` (as
 * Docker's COPY does), a file or symlink goes to `dstDir/<its name>`. Symlinks are copied as links,
 * never followed, so a link in the source cannot pull in files from outside it.
 */
export async function planCopy(
  sourceDir: string,
  src: readonly string[],
  dstDir: string,
  exclude: readonly string[],
): Promise<CopyEntry[]> {
  const root = await realpath(sourceDir);
  const excluded = makeExcluder(exclude);
  const byDest = new Map<string, CopyEntry>();

  const add = async (hostPath: string, rel: string, dest: string): Promise<void> => {
    const st = await lstat(hostPath);
    const base = { dest, size: 0, mtimeMs: st.mtimeMs, hostPath };
    if (st.isSymbolicLink()) {
      byDest.set(dest, { ...base, type: 'symlink', mode: 0o777, linkTarget: await readlink(hostPath) });
    } else if (st.isFile()) {
      const mode = st.mode & 0o111 ? 0o755 : 0o644;
      byDest.set(dest, { ...base, type: 'file', mode, size: st.size, sha256: await sha256File(hostPath) });
    } else if (st.isDirectory()) {
      byDest.set(dest, { ...base, type: 'dir', mode: 0o755 });
      await addChildren(hostPath, rel, dest);
    }
    // Sockets, fifos and devices have no place in a build context: skipped.
  };
  const addChildren = async (hostDir: string, rel: string, destDir: string): Promise<void> => {
    for (const name of (await readdir(hostDir)).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (excluded(childRel)) continue;
      await add(join(hostDir, name), childRel, destDir === '/' ? `/${name}` : `${destDir}/${name}`);
    }
  };

  for (const s of src) {
    const rel = posix.normalize(s).replace(/\/+$/, '');
    if (rel.startsWith('/') || rel === '..' || rel.startsWith('../')) {
      throw new CopySourceError(`copy: ${s} is not inside the source tree`);
    }
    const hostPath = rel === '.' ? root : join(root, rel);
    // Intermediate symlinks would be followed by the OS: the parent must resolve inside the tree.
    const parentReal = await realpath(join(hostPath, '..')).catch(() => undefined);
    if (rel !== '.' && (parentReal === undefined || !isInside(root, parentReal))) {
      throw new CopySourceError(`copy: ${s} does not exist in the source tree`);
    }
    const st = await lstat(hostPath).catch(() => undefined);
    if (st === undefined) throw new CopySourceError(`copy: ${s} does not exist in the source tree`);
    if (rel !== '.' && excluded(rel)) continue;
    if (st.isDirectory()) await addChildren(hostPath, rel === '.' ? '' : rel, dstDir);
    else await add(hostPath, rel, posix.join(dstDir, posix.basename(rel)));
  }
  // Sorted paths put every directory before its contents, which tar extraction needs.
  return [...byDest.values()].sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
}
