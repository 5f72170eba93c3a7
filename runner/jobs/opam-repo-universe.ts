import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Universe } from '../../lib/opam/solver/index.ts';
import { git, gitText, readBlobs } from '../source/git.ts';
import { DEFAULT_TIMEOUT_MS, FULL_SHA, hasCommit, initBare, locked, NO_OPAM_REPO_URL } from './ocaml-releases.ts';
import type { OcamlReleasesOptions } from './ocaml-releases.ts';

// The packages of the pinned opam-repository commit, for the analysis' solver: every
// packages/<name>/<name>.<version>/opam at that commit. The commit is fetched with its blobs
// (depth 1) into a store of its own in the work directory (the releases' store is blob-less),
// so each commit is fetched once per runner; the Universe is built once per commit per process.

export type UniverseAtResult =
  | { ok: true; universe: Universe; releases: number; loadMs: number; cached: boolean }
  | { ok: false; reason: string };

/** Universes kept in memory: the newest commits asked for (a runner is pinned to one or two). */
export const MAX_UNIVERSES = 2;

const OPAM_PATH = /^packages\/[^/]+\/([^/]+)\/opam$/;
const memo = new Map<string, Promise<{ universe: Universe; loadMs: number }>>();

async function load(commit: string, opts: OcamlReleasesOptions): Promise<{ universe: Universe; loadMs: number }> {
  const t0 = Date.now();
  const gitDir = join(opts.workDir, 'opam-repository-packages.git');
  if (!(await stat(gitDir).then(() => true, () => false))) await initBare(gitDir);
  await git(gitDir, ['config', 'remote.origin.url', opts.url]);
  let rev = commit;
  if (!FULL_SHA.test(commit) || !(await hasCommit(gitDir, commit))) {
    await git(gitDir, ['fetch', '-q', '--no-tags', '--depth', '1', 'origin', commit], { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    rev = await gitText(gitDir, ['rev-parse', 'FETCH_HEAD^{commit}']);
  }
  const listing = await git(gitDir, ['ls-tree', '-r', '-z', `${rev}`, '--', 'packages'], { okCodes: [0, 128] });
  const files: Array<[string, string]> = [];
  for (const line of listing.stdout.toString('utf8').split('\0')) {
    const tab = line.indexOf('\t');
    const m = OPAM_PATH.exec(line.slice(tab + 1));
    const oid = line.slice(0, tab).split(' ')[2];
    if (m?.[1] && oid) files.push([m[1], oid]);
  }
  if (files.length === 0) throw new Error(`no packages/*/*/opam files at ${commit}`);
  const blobs = await readBlobs(gitDir, files.map(([, oid]) => oid));
  const universe = Universe.fromTexts(files.flatMap(([pkg, oid]) => {
    const text = blobs.get(oid);
    return text === undefined ? [] : [[pkg, text] as [string, string]];
  }));
  return { universe, loadMs: Date.now() - t0 };
}

/**
 * The Universe of `commit` of the opam-repository at `opts.url`, or why it cannot be read (the
 * analysis then judges platforms without a solver and says so).
 */
export async function universeAt(commit: string, opts: OcamlReleasesOptions): Promise<UniverseAtResult> {
  if (opts.url === NO_OPAM_REPO_URL) return { ok: false, reason: 'CID_OPAM_REPO_URL=none' };
  const key = `${opts.url} ${commit}`;
  let entry = memo.get(key);
  const cached = entry !== undefined;
  if (entry === undefined) {
    entry = locked(() => load(commit, opts));
    if (FULL_SHA.test(commit)) {
      memo.set(key, entry);
      // Oldest first in insertion order: keep the newest MAX_UNIVERSES.
      while (memo.size > MAX_UNIVERSES) memo.delete(memo.keys().next().value!);
    }
  } else {
    // Most recently used last.
    memo.delete(key);
    memo.set(key, entry);
  }
  try {
    const { universe, loadMs } = await entry;
    return { ok: true, universe, releases: universe.size, loadMs, cached };
  } catch (err) {
    memo.delete(key);
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { ok: false, reason: `opam-repository ${commit} could not be read from ${opts.url}: ${why}` };
  }
}
