// Small opam repositories as git repositories, made of releases copied from the opam-repository
// snapshot: a base commit on `master`, then PR branches that add, change or remove releases.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface OpamGitRepo {
  path: string;
  git(...args: string[]): string;
  /** Copies a release ("name.version") from the snapshot. */
  copy(pkg: string): void;
  write(path: string, text: string, mode?: number): void;
  read(path: string): string;
  remove(path: string): void;
  /** Commits everything; returns the sha. */
  commit(message: string): string;
  /** Creates and checks out a branch at `from` (a sha or branch). */
  branch(name: string, from: string): void;
  /** Lets `git fetch <sha>` over file:// take any commit, as GitHub does. */
  serveAnySha(): void;
}

export const releaseDir = (pkg: string): string => {
  const name = pkg.slice(0, pkg.indexOf('.'));
  return `packages/${name}/${pkg}`;
};

export function opamGitRepo(snapshot: string, releases: readonly string[]): OpamGitRepo {
  const path = mkdtempSync(join(tmpdir(), 'cid-opam-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', path, '-c', 'user.name=cid', '-c', 'user.email=cid@example.org', '-c', 'commit.gpgsign=false', ...args], {
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'master');
  const repo: OpamGitRepo = {
    path,
    git,
    copy(pkg) {
      const dir = releaseDir(pkg);
      cpSync(join(snapshot, dir), join(path, dir), { recursive: true });
    },
    write(p, text, mode) {
      mkdirSync(dirname(join(path, p)), { recursive: true });
      writeFileSync(join(path, p), text);
      if (mode !== undefined) chmodSync(join(path, p), mode);
    },
    read: (p) => readFileSync(join(path, p), 'utf8'),
    remove(p) {
      rmSync(join(path, p), { recursive: true, force: true });
    },
    commit(message) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    branch(name, from) {
      git('checkout', '-q', '-B', name, from);
    },
    serveAnySha() {
      git('config', 'uploadpack.allowAnySHA1InWant', 'true');
    },
  };
  repo.write('repo', 'opam-version: "2.0"\n');
  for (const r of releases) repo.copy(r);
  return repo;
}
