import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localRepoName, readGitHead } from '../../../local/local-mode/git-head.ts';
import { BadRequestError } from '../../../lib/errors/index.ts';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' }).trim();

function repo(files: Record<string, string> = { 'a.opam': 'opam-version: "2.0"\n' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cid-head-'));
  git(dir, 'init', '-q', '-b', 'trunk');
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'first line\n\nbody');
  return dir;
}

test('HEAD of a clean repository: sha, branch ref, subject, nothing uncommitted; a subdirectory finds the top', async () => {
  const dir = repo({ 'a.opam': 'x' });
  mkdirSync(join(dir, 'sub'));
  const h = await readGitHead(join(dir, 'sub'));
  assert.equal(h.root, execFileSync('realpath', [dir], { encoding: 'utf8' }).trim());
  assert.equal(h.sha, git(dir, 'rev-parse', 'HEAD'));
  assert.equal(h.ref, 'refs/heads/trunk');
  assert.equal(h.branch, 'trunk');
  assert.equal(h.subject, 'first line');
  assert.deepEqual(h.uncommitted, []);
});

test('uncommitted changes are listed: modified, untracked, staged and renamed (once each)', async () => {
  const dir = repo({ 'a.opam': 'x', 'b.ml': 'let x = 1', 'c.ml': 'let c = 3' });
  writeFileSync(join(dir, 'a.opam'), 'changed');
  writeFileSync(join(dir, 'new file.ml'), '');
  renameSync(join(dir, 'c.ml'), join(dir, 'd.ml'));
  git(dir, 'add', 'c.ml', 'd.ml');
  const h = await readGitHead(dir);
  assert.deepEqual([...h.uncommitted].sort(), ['a.opam', 'd.ml', 'new file.ml']);
});

test('a detached HEAD builds with the ref HEAD', async () => {
  const dir = repo();
  git(dir, 'checkout', '-q', '--detach');
  const h = await readGitHead(dir);
  assert.equal(h.ref, 'HEAD');
  assert.equal(h.branch, undefined);
});

test('each wrong path is one sentence, a usage error (exit 2)', async () => {
  const plain = mkdtempSync(join(tmpdir(), 'cid-plain-'));
  const empty = mkdtempSync(join(tmpdir(), 'cid-empty-'));
  git(empty, 'init', '-q');
  writeFileSync(join(plain, 'f'), '');
  const cases: [string, RegExp][] = [
    [join(plain, 'missing'), /missing does not exist$/],
    [join(plain, 'f'), /is not a directory/],
    [plain, /is not a git repository: cid local builds the HEAD commit of one/],
    [empty, /has no commits yet: commit your work first/],
  ];
  for (const [path, message] of cases) {
    await assert.rejects(readGitHead(path), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
});

test('the UI name is local/<directory>, with characters GitHub refuses made "-"', () => {
  assert.equal(localRepoName('/home/me/my project'), 'local/my-project');
  assert.equal(localRepoName('/src/ocaml-ci_2.x'), 'local/ocaml-ci_2.x');
  assert.equal(localRepoName('/tmp/.hidden'), 'local/hidden');
  assert.equal(localRepoName('/'), 'local/repository');
});
