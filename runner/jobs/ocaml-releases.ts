import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinOcamlReleases, latestPatches } from '../../lib/analysis/index.ts';
import type { OcamlReleases } from '../../lib/analysis/index.ts';
import { git, gitText } from '../source/git.ts';

// The OCaml releases of the pinned opam-repository commit, for the default catalogue: the names
// under packages/ocaml-base-compiler/ at that commit. Only commits and trees are fetched (depth 1,
// blob:none), into a store kept in the work directory, so a commit is fetched once per runner.
// When the repository cannot be read, the built-in list is used and the (analysis) log says why.

export interface OcamlReleasesOptions {
  /** CID_OPAM_REPO_URL: where opam-repository is fetched from; "none" for the built-in list. */
  url: string;
  workDir: string;
  /** A fetch that takes longer is abandoned (the built-in list is used). */
  timeoutMs?: number;
}

export const NO_OPAM_REPO_URL = 'none';
export const DEFAULT_TIMEOUT_MS = 120_000;
export const FULL_SHA = /^[0-9a-f]{40}$/;

/** Results per url and full sha: a commit's tree never changes. */
const known = new Map<string, Promise<string[]>>();
/** One fetch at a time per store within this process (the slots of a runner share it). */
let storeLock: Promise<unknown> = Promise.resolve();

export function initBare(dir: string): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn('git', ['init', '--bare', '-q', dir], { stdio: 'ignore' });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res() : rej(new Error(`git init ${dir} exited with ${code}`))));
  });
}

export async function hasCommit(gitDir: string, rev: string): Promise<boolean> {
  return (await git(gitDir, ['cat-file', '-e', `${rev}^{commit}`], { okCodes: [0, 1, 128] })).code === 0;
}

async function compilerVersions(commit: string, opts: OcamlReleasesOptions): Promise<string[]> {
  const gitDir = join(opts.workDir, 'opam-repository.git');
  if (!(await stat(gitDir).then(() => true, () => false))) {
    await initBare(gitDir);
    // A partial clone's remote, so a fetch may leave the blobs out (servers that cannot filter send them anyway).
    for (const [k, v] of [
      ['core.repositoryformatversion', '1'],
      ['extensions.partialClone', 'origin'],
      ['remote.origin.promisor', 'true'],
      ['remote.origin.partialclonefilter', 'blob:none'],
    ] as const) {
      await git(gitDir, ['config', k, v]);
    }
  }
  await git(gitDir, ['config', 'remote.origin.url', opts.url]);
  let rev = commit;
  if (!FULL_SHA.test(commit) || !(await hasCommit(gitDir, commit))) {
    await git(gitDir, ['fetch', '-q', '--no-tags', '--depth', '1', '--filter=blob:none', 'origin', commit], {
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    rev = await gitText(gitDir, ['rev-parse', 'FETCH_HEAD^{commit}']);
  }
  const listing = await git(gitDir, ['ls-tree', '--name-only', '-z', `${rev}:packages/ocaml-base-compiler`], { okCodes: [0, 128] });
  return listing.code === 0 ? listing.stdout.toString('utf8').split('\0').filter((s) => s !== '') : [];
}

/** Runs `fn` after the store's other users (one git fetch at a time per runner process). */
export function locked<T>(fn: () => Promise<T>): Promise<T> {
  const mine = storeLock.catch(() => undefined).then(fn);
  storeLock = mine;
  return mine;
}

/**
 * The latest patch of each OCaml minor ≥ 4.14 at `commit` of the opam-repository at `opts.url`,
 * newest first; the built-in list, with the reason, when that cannot be read.
 */
export async function ocamlReleasesAt(commit: string, opts: OcamlReleasesOptions): Promise<OcamlReleases> {
  if (opts.url === NO_OPAM_REPO_URL) return builtinOcamlReleases('CID_OPAM_REPO_URL=none');
  const key = `${opts.url} ${commit}`;
  let versions = known.get(key);
  if (versions === undefined) {
    versions = locked(() => compilerVersions(commit, opts));
    if (FULL_SHA.test(commit)) known.set(key, versions);
  }
  try {
    const releases = latestPatches(await versions);
    if (releases.length === 0) {
      return builtinOcamlReleases(`opam-repository ${commit} has no ocaml-base-compiler release from 4.14 on`);
    }
    return { releases, source: `opam-repository ${commit}` };
  } catch (err) {
    known.delete(key);
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return builtinOcamlReleases(`opam-repository ${commit} could not be read from ${opts.url}: ${why}`);
  }
}
