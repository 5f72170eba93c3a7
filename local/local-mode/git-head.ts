// The commit `cid local` builds: HEAD of the git repository holding PATH, as ocaml-ci-local does.
// Uncommitted changes are counted (to warn about them) but never built.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { BadRequestError } from '../../lib/errors/index.ts';

export interface GitHead {
  /** The repository's top-level directory (absolute), even when PATH is inside it. */
  root: string;
  sha: string;
  /** "refs/heads/<branch>", or "HEAD" when detached. */
  ref: string;
  branch?: string;
  /** The commit's first line. */
  subject: string;
  /** Tracked and untracked paths that differ from HEAD: they are not part of the build. */
  uncommitted: string[];
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((done, fail) => {
    execFile('git', ['-C', cwd, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      if (code === 'ENOENT') return fail(new BadRequestError('git is not installed: cid local reads the repository with git'));
      done({ code: err ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
    });
  });
}

/** The owner/name the UI shows: `local/<directory>` with anything GitHub would refuse made "-". */
export function localRepoName(root: string): string {
  const dir = basename(root).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^\.+/, '').slice(0, 100) || 'repository';
  return `local/${dir}`;
}

export async function readGitHead(path: string): Promise<GitHead> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new BadRequestError(`${path} does not exist`);
  if (!st.isDirectory()) throw new BadRequestError(`${path} is not a directory: give the path of a git repository`);

  const top = await git(abs, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) {
    // git refuses repositories owned by someone else; saying "not a repository" would mislead.
    if (/dubious ownership/.test(top.stderr)) {
      throw new BadRequestError(`git refuses to read ${path}: it is owned by another user (see git config --global --add safe.directory)`);
    }
    throw new BadRequestError(`${path} is not a git repository: cid local builds the HEAD commit of one (git init, then commit)`);
  }
  const root = top.stdout.trim();
  const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head.code !== 0) throw new BadRequestError(`${root} has no commits yet: commit your work first, since cid local builds HEAD`);
  const sha = head.stdout.trim();

  const [branch, subject, status] = await Promise.all([
    git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    git(root, ['log', '-1', '--format=%s', sha]),
    git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=normal']),
  ]);
  const name = branch.code === 0 ? branch.stdout.trim() : '';
  // -z: entries end with NUL; a rename's entry is followed by its old path, which is no change of its own.
  const uncommitted: string[] = [];
  const parts = status.stdout.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i] ?? '';
    if (entry.length < 4) continue;
    uncommitted.push(entry.slice(3));
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return {
    root,
    sha,
    ref: name ? `refs/heads/${name}` : 'HEAD',
    ...(name ? { branch: name } : {}),
    subject: subject.stdout.trim(),
    uncommitted,
  };
}
