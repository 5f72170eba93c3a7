import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Source } from '../../lib/contract/index.ts';
import type { JobToken } from './job-token.ts';
import { git, gitText, mergeTree } from './git.ts';
import type { MergeResult } from './git.ts';
import { SourceError } from './source-error.ts';

// A pull request's base and head commits in a git object store on the runner, so they can be
// merged (git merge-tree) and read without a work tree:
// - a local source borrows the repository's objects (alternates) in a throw-away store, so the
//   user's repository is never written to;
// - a GitHub source is fetched over HTTPS with the job's token into a store kept per repository
//   in the work directory: shallow, deepened until base and head have a merge base, so later jobs
//   of the same PR fetch almost nothing.

export interface PrCommits {
  gitDir: string;
  base: string;
  head: string;
  /** Removes what only this job needed. */
  release(): Promise<void>;
}

export interface PrCommitsOptions {
  workDir: string;
  token: () => Promise<JobToken>;
}

type PrSource = Source & { baseSha: string };

export const hasBase = (s: Source): s is PrSource => s.baseSha !== undefined;

/** Depths to try in turn before fetching the whole history. */
const DEPTHS = [50, 250, 1000];

/** One git operation at a time per store, within this process (slots share stores). */
const locks = new Map<string, Promise<unknown>>();
async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = locks.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(fn);
  locks.set(key, mine);
  try {
    return await mine;
  } finally {
    if (locks.get(key) === mine) locks.delete(key);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function hasCommit(gitDir: string, sha: string): Promise<boolean> {
  return (await git(gitDir, ['cat-file', '-e', `${sha}^{commit}`], { okCodes: [0, 1, 128] })).code === 0;
}

async function hasMergeBase(gitDir: string, a: string, b: string): Promise<boolean> {
  return (await git(gitDir, ['merge-base', a, b], { okCodes: [0, 1, 128] })).code === 0;
}

function initBare(dir: string): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn('git', ['init', '--bare', '-q', dir], { stdio: 'ignore' });
    child.on('error', (e) => rej(new SourceError(`git init: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? res() : rej(new SourceError(`git init ${dir} exited with ${code}`))));
  });
}

async function localCommits(source: PrSource & { kind: 'local' }, opts: PrCommitsOptions): Promise<PrCommits> {
  const common = (await gitText(join(source.path, '.git'), ['rev-parse', '--path-format=absolute', '--git-common-dir']).catch(() =>
    gitText(source.path, ['rev-parse', '--path-format=absolute', '--git-common-dir']),
  )) as string;
  const objects = isAbsolute(common) ? join(common, 'objects') : resolve(source.path, common, 'objects');
  await mkdir(opts.workDir, { recursive: true });
  const dir = await mkdtemp(join(opts.workDir, 'pr-git-'));
  await initBare(dir);
  await writeFile(join(dir, 'objects', 'info', 'alternates'), `${objects}\n`);
  for (const sha of [source.baseSha, source.sha]) {
    if (!(await hasCommit(dir, sha))) {
      await rm(dir, { recursive: true, force: true });
      throw new SourceError(`commit ${sha} is not in ${source.path}`);
    }
  }
  return { gitDir: dir, base: source.baseSha, head: source.sha, release: () => rm(dir, { recursive: true, force: true }) };
}

function authEnv(token: JobToken): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token.token}`).toString('base64');
  // Passed through the environment, not the command line, so `ps` never shows the token.
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
}

async function githubCommits(source: PrSource & { kind: 'github' }, opts: PrCommitsOptions): Promise<PrCommits> {
  const dir = join(opts.workDir, 'git-cache', `${source.repo.replace('/', '+')}.git`);
  await exclusive(dir, async () => {
    if (!(await exists(join(dir, 'HEAD')))) {
      await mkdir(dir, { recursive: true });
      await initBare(dir);
    }
    const want = [source.baseSha, source.sha];
    const haveBoth = (await hasCommit(dir, source.baseSha)) && (await hasCommit(dir, source.sha));
    if (haveBoth && (await hasMergeBase(dir, source.baseSha, source.sha))) return;
    const env = authEnv(await opts.token());
    const fetch = (extra: string[]) =>
      git(dir, ['-c', 'protocol.version=2', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', ...extra, source.cloneUrl, ...want], { env });
    for (const depth of DEPTHS) {
      await fetch([`--depth=${depth}`]);
      if (await hasMergeBase(dir, source.baseSha, source.sha)) return;
    }
    await fetch(['--unshallow']).catch(() => fetch([]));
    if (!(await hasMergeBase(dir, source.baseSha, source.sha))) {
      throw new SourceError(`${source.sha.slice(0, 12)} and ${source.baseSha.slice(0, 12)} have no common history`);
    }
  });
  return { gitDir: dir, base: source.baseSha, head: source.sha, release: async () => undefined };
}

/** Brings a PR's base and head into a local object store. */
export async function openPrCommits(source: PrSource, opts: PrCommitsOptions): Promise<PrCommits> {
  return source.kind === 'local' ? localCommits(source, opts) : githubCommits(source, opts);
}

/** The message opam-repo-ci shows when the head does not merge cleanly. */
export const MERGE_CONFLICT = 'Cannot merge to master - please rebase!';

/** Merges the head into the base; GitHub stores are shared, so the merge takes their lock. */
export function mergePr(pr: PrCommits): Promise<MergeResult> {
  return exclusive(pr.gitDir, () => mergeTree(pr.gitDir, pr.base, pr.head));
}

/** The merged tree, unpacked into `dir` (for the build jobs of an opam-repository PR). */
export async function extractTree(gitDir: string, tree: string, dir: string): Promise<void> {
  await new Promise<void>((res, rej) => {
    const archive = spawn('git', ['--git-dir', gitDir, 'archive', '--format=tar', tree], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    archive.stderr.on('data', (d: Buffer) => (err += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    archive.stdout.pipe(tar.stdin);
    let left = 2;
    let failed = false;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        rej(new SourceError(`${what} of ${tree.slice(0, 12)} failed: ${err.trim().slice(-500)}`));
      }
      if (--left === 0 && !failed) res();
    };
    archive.on('close', done('git archive'));
    tar.on('close', done('tar'));
  });
}

/** A PR's head merged into its base, unpacked into `dir`: what every opam-repository build job gets. */
export async function fetchMergedSource(source: PrSource, dir: string, opts: PrCommitsOptions): Promise<void> {
  const pr = await openPrCommits(source, opts);
  try {
    const merged = await mergePr(pr);
    if (!merged.ok) throw new SourceError(MERGE_CONFLICT);
    await extractTree(pr.gitDir, merged.tree, dir);
  } finally {
    await pr.release();
  }
}
