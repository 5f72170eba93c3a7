import { spawn } from 'node:child_process';
import { SourceError } from './source-error.ts';

// A thin async wrapper around the git command line, for the plumbing the opam-repository jobs
// need (fetch, merge-tree, diff, ls-tree, cat-file, archive). Nothing here touches a work tree.

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** The environment every git call gets: no prompts, no user or system configuration. */
const BASE_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_ASKPASS: 'true',
};

export function git(
  gitDir: string,
  args: readonly string[],
  opts: { input?: string | Buffer; env?: Record<string, string>; okCodes?: readonly number[]; timeoutMs?: number } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', gitDir, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...BASE_ENV, ...opts.env },
      ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', (err) => reject(new SourceError(`git: ${err.message}`)));
    child.on('close', (code, signal) => {
      const timedOut = signal !== null && opts.timeoutMs !== undefined ? `timed out after ${opts.timeoutMs} ms` : '';
      const r = { code: code ?? 1, stdout: Buffer.concat(out), stderr: stderr.trim() || timedOut };
      if ((opts.okCodes ?? [0]).includes(r.code)) resolve(r);
      else reject(new SourceError(`git ${args.slice(0, 3).join(' ')} failed (exit ${r.code}): ${r.stderr.slice(-500)}`));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export const gitText = async (gitDir: string, args: readonly string[]): Promise<string> => (await git(gitDir, args)).stdout.toString('utf8').trim();

/** NUL-separated output as a list. */
const splitZ = (b: Buffer): string[] => b.toString('utf8').split('\0').filter((s) => s !== '');

export type MergeResult = { ok: true; tree: string } | { ok: false; conflicts: string[] };

/** Merges `head` into `base` without a work tree (git merge-tree, git ≥ 2.38). */
export async function mergeTree(gitDir: string, base: string, head: string): Promise<MergeResult> {
  const r = await git(gitDir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', base, head], { okCodes: [0, 1] });
  const [tree, ...rest] = splitZ(r.stdout);
  if (r.code === 0 && tree) return { ok: true, tree };
  return { ok: false, conflicts: rest };
}

/** Paths that differ between two tree-ishes (no rename detection: a move is a delete and an add). */
export async function changedPaths(gitDir: string, from: string, to: string): Promise<string[]> {
  return splitZ((await git(gitDir, ['diff-tree', '-r', '-z', '--no-renames', '--name-only', from, to])).stdout);
}

export interface TreeEntry {
  mode: string;
  oid: string;
}

/** Every file of a tree-ish (blobs and links), recursively. */
export async function listTree(gitDir: string, treeish: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  for (const line of splitZ((await git(gitDir, ['ls-tree', '-r', '-z', '--full-tree', treeish])).stdout)) {
    // "<mode> SP <type> SP <oid> TAB <path>"
    const tab = line.indexOf('\t');
    const [mode, type, oid] = line.slice(0, tab).split(' ');
    if (mode && oid && type !== 'commit') out.set(line.slice(tab + 1), { mode, oid });
  }
  return out;
}

/** The contents of many blobs with one `git cat-file --batch`. */
export async function readBlobs(gitDir: string, oids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(oids)];
  const out = new Map<string, string>();
  if (unique.length === 0) return out;
  const r = await git(gitDir, ['cat-file', '--batch'], { input: `${unique.join('\n')}\n` });
  const buf = r.stdout;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = buf.toString('utf8', pos, nl).split(' ');
    pos = nl + 1;
    const [oid, type, size] = header;
    if (type === 'missing' || oid === undefined || size === undefined) continue;
    const n = Number(size);
    out.set(oid, buf.toString('utf8', pos, pos + n));
    pos += n + 1;
  }
  return out;
}
