// The whole opam-repository snapshot as a git repository (one commit on master), for what fetches
// opam-repository as a runner does (file:// URL). Made once per test process, from the unpacked
// snapshot used as the work tree (nothing is copied).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOpamSnapshot } from './opam-snapshot.ts';

export interface OpamSnapshotGit {
  /** The bare repository: use `file://${path}` as CID_OPAM_REPO_URL. */
  path: string;
  /** The commit holding every release of the snapshot. */
  commit: string;
}

let made: Promise<OpamSnapshotGit | undefined> | undefined;

/** undefined when the snapshot is missing (tests skip, or fail with CI=true, through opamSnapshotDir). */
export function opamSnapshotGit(): Promise<OpamSnapshotGit | undefined> {
  made ??= (async () => {
    const snap = await ensureOpamSnapshot();
    if (!snap.ok) return undefined;
    const path = mkdtempSync(join(tmpdir(), 'cid-opam-snapshot-git-'));
    const git = (...args: string[]): string =>
      execFileSync('git', ['--git-dir', path, '--work-tree', snap.dir, '-c', 'user.name=cid', '-c', 'user.email=cid@example.org', '-c', 'commit.gpgsign=false', ...args], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }).trim();
    execFileSync('git', ['init', '-q', '--bare', '-b', 'master', path]);
    git('add', '-A', '--', 'packages', 'repo');
    git('commit', '-q', '-m', 'the opam-repository snapshot');
    git('config', 'uploadpack.allowAnySHA1InWant', 'true');
    return { path, commit: git('rev-parse', 'HEAD') };
  })();
  return made;
}
