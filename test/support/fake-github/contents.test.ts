import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Probot } from 'probot';
import { FastProbotOctokit } from './fast-octokit.ts';
import { callApi } from './http-client.ts';
import type { RepoFiles } from './repo-snapshot.ts';
import { startFakeGitHub } from './server.ts';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const LONG = `deep/${'very-long-directory-name/'.repeat(5)}file-with-a-long-name.ml`;
const FILES: RepoFiles = {
  'dune-project': '(lang dune 3.11)\n',
  'widget.opam': 'opam-version: "2.0"\n',
  'src/dune': '(library (name widget))\n',
  'src/widget.ml': 'let answer = 42\n',
  'src-extra/x.ml': '',
  'scripts/build.sh': { content: '#!/bin/sh\necho hi\n', executable: true },
  'data/blob.bin': new Uint8Array([0, 1, 2, 255]),
  [LONG]: 'let x = 1\n',
};

async function setup(t: TestContext) {
  const fake = await startFakeGitHub();
  t.after(() => fake.close());
  fake.addInstallation({ id: 31, account: 'acme', repositories: ['acme/widget'] });
  fake.setRepoFiles('acme/widget', SHA, FILES, { refs: ['main'] });
  return { fake, token: fake.mintInstallationToken(31) };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-github-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

test('get-tree (recursive) lists the files with the SHAs real git computes', async (t) => {
  const { fake, token } = await setup(t);
  const res = await callApi(fake, 'GET', `/repos/acme/widget/git/trees/${SHA}?recursive=1`, { token });
  assert.equal(res.status, 200);
  const tree = res.json as { sha: string; truncated: boolean; tree: { path: string; mode: string; type: string; sha: string; size?: number }[] };
  assert.equal(tree.truncated, false);

  const dir = tempDir(t);
  git(dir, 'init', '-q');
  for (const [path, spec] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const content = typeof spec === 'string' || spec instanceof Uint8Array ? spec : spec.content;
    writeFileSync(join(dir, path), content, { mode: typeof spec === 'object' && 'executable' in spec ? 0o755 : 0o644 });
  }
  git(dir, 'add', '-A');
  assert.equal(tree.sha, git(dir, 'write-tree').trim());
  const expected = git(dir, 'ls-tree', '-r', '-t', '-l', git(dir, 'write-tree').trim())
    .trim()
    .split('\n')
    .map((line) => {
      const [meta = '', path = ''] = line.split('\t');
      const [mode = '', type = '', sha = '', size = ''] = meta.split(/\s+/);
      return { path, mode: mode === '040000' ? '040000' : mode, type, sha, ...(type === 'blob' ? { size: Number(size) } : {}) };
    });
  assert.deepEqual(
    tree.tree.map(({ path, mode, type, sha, size }) => ({ path, mode, type, sha, ...(size === undefined ? {} : { size }) })),
    expected,
  );

  // Non-recursive, by branch name, and a subtree by its SHA.
  const top = await callApi(fake, 'GET', '/repos/acme/widget/git/trees/main', { token });
  const topPaths = (top.json as { tree: { path: string }[] }).tree.map((e) => e.path);
  // Git order: a tree sorts as if its name ended in '/', so src-extra comes before src.
  assert.deepEqual(topPaths, ['data', 'deep', 'dune-project', 'scripts', 'src-extra', 'src', 'widget.opam']);
  const srcSha = tree.tree.find((e) => e.path === 'src')?.sha;
  const sub = await callApi(fake, 'GET', `/repos/acme/widget/git/trees/${srcSha}`, { token });
  assert.deepEqual((sub.json as { tree: { path: string }[] }).tree.map((e) => e.path), ['dune', 'widget.ml']);
  assert.equal((await callApi(fake, 'GET', `/repos/acme/widget/git/trees/${'9'.repeat(40)}`, { token })).status, 404);
  assert.deepEqual(fake.state.invalidResponses, []);
});

test('get-commit tells the message and parents set with the files, and the tree get-tree serves', async (t) => {
  const { fake, token } = await setup(t);
  const parent = SHA;
  const child = '0123456789abcdef0123456789abcdef01234567';
  fake.setRepoFiles('acme/widget', child, { 'README.md': '# hi\n' }, { message: 'Docs only\n\n[skip ci]\n', parents: [parent] });
  const res = await callApi(fake, 'GET', `/repos/acme/widget/git/commits/${child}`, { token });
  assert.equal(res.status, 200);
  const c = res.json as { sha: string; message: string; tree: { sha: string }; parents: { sha: string }[]; verification: { verified: boolean } };
  assert.equal(c.sha, child);
  assert.equal(c.message, 'Docs only\n\n[skip ci]\n');
  assert.deepEqual(c.parents.map((p) => p.sha), [parent]);
  assert.equal(c.verification.verified, false);
  const tree = await callApi(fake, 'GET', `/repos/acme/widget/git/trees/${child}`, { token });
  assert.equal(c.tree.sha, (tree.json as { sha: string }).sha);

  const first = await callApi(fake, 'GET', `/repos/acme/widget/git/commits/${parent}`, { token });
  assert.equal((first.json as { message: string }).message, 'Update', 'the default message');
  assert.deepEqual((first.json as { parents: unknown[] }).parents, []);
  // Unknown commits and branch names are 404, as GitHub answers.
  assert.equal((await callApi(fake, 'GET', `/repos/acme/widget/git/commits/${'9'.repeat(40)}`, { token })).status, 404);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/widget/git/commits/main', { token })).status, 404);
  assert.deepEqual(fake.state.invalidResponses, []);
});

test('get-content serves base64 files, directory listings and raw content', async (t) => {
  const { fake, token } = await setup(t);
  const file = await callApi(fake, 'GET', `/repos/acme/widget/contents/src/widget.ml?ref=${SHA}`, { token });
  assert.equal(file.status, 200);
  const f = file.json as { type: string; encoding: string; content: string; path: string; sha: string };
  assert.equal(f.type, 'file');
  assert.equal(f.encoding, 'base64');
  assert.equal(Buffer.from(f.content, 'base64').toString(), 'let answer = 42\n');

  const bin = await callApi(fake, 'GET', '/repos/acme/widget/contents/data%2Fblob.bin', { token });
  assert.deepEqual([...Buffer.from((bin.json as { content: string }).content, 'base64')], [0, 1, 2, 255]);

  const root = await callApi(fake, 'GET', '/repos/acme/widget/contents', { token });
  const entries = root.json as { name: string; type: string }[];
  assert.deepEqual(entries.map((e) => `${e.type}:${e.name}`), [
    'dir:data', 'dir:deep', 'file:dune-project', 'dir:scripts', 'dir:src-extra', 'dir:src', 'file:widget.opam',
  ]);
  const raw = await callApi(fake, 'GET', '/repos/acme/widget/contents/dune-project?ref=main', {
    token,
    headers: { accept: 'application/vnd.github.raw' },
  });
  assert.equal(raw.text, '(lang dune 3.11)\n');
  assert.equal((await callApi(fake, 'GET', '/repos/acme/widget/contents/nope.ml', { token })).status, 404);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/widget/contents/dune-project?ref=nobranch', { token })).status, 404);
  assert.deepEqual(fake.state.invalidResponses, []);
});

test('the tarball is a real tar.gz with one owner-repo-sha7/ directory, as on GitHub', async (t) => {
  const { fake } = await setup(t);
  const probot = new Probot({ appId: fake.app.appId, privateKey: fake.app.privateKeyPem, baseUrl: fake.url, Octokit: FastProbotOctokit, logLevel: 'fatal' });
  const octokit = await probot.auth(31);
  const res = await octokit.rest.repos.downloadTarballArchive({ owner: 'acme', repo: 'widget', ref: 'main' });
  assert.equal(res.status, 200, 'Octokit followed the redirect');
  const archive = Buffer.from(res.data as ArrayBuffer);
  const tarball = fake.requestsFor('repos/download-tarball-archive')[0];
  assert.equal(tarball?.status, 302);

  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.tar.gz'), archive);
  mkdirSync(join(dir, 'out'));
  execFileSync('tar', ['-xzf', join(dir, 'a.tar.gz'), '-C', join(dir, 'out')]);
  const top = readdirSync(join(dir, 'out'));
  assert.deepEqual(top, [`acme-widget-${SHA.slice(0, 7)}`]);
  const root = join(dir, 'out', top[0] ?? '');
  assert.equal(readFileSync(join(root, 'src/widget.ml'), 'utf8'), 'let answer = 42\n');
  assert.equal(readFileSync(join(root, LONG), 'utf8'), 'let x = 1\n', 'paths over 100 bytes survive');
  assert.deepEqual([...readFileSync(join(root, 'data/blob.bin'))], [0, 1, 2, 255]);
  assert.ok(statSync(join(root, 'scripts/build.sh')).mode & 0o100, 'executable bit kept');
  assert.equal(statSync(join(root, 'src/dune')).mode & 0o111, 0);
  // GitHub records the commit in a pax global header; git can read it back.
  const commitId = execFileSync('git', ['get-tar-commit-id'], { input: gunzipSync(archive), encoding: 'utf8' }).trim();
  assert.equal(commitId, SHA);
});

test('tarball download links need the ticket from the redirect', async (t) => {
  const { fake, token } = await setup(t);
  const redirect = await callApi(fake, 'GET', '/repos/acme/widget/tarball/main', { token });
  assert.equal(redirect.status, 302);
  const location = new URL(redirect.headers.get('location') ?? '');
  assert.equal(location.pathname, `/_codeload/acme/widget/legacy.tar.gz/${SHA}`);
  const ok = await fetch(location);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'application/x-gzip');
  location.searchParams.set('token', 'forged');
  assert.equal((await fetch(location)).status, 404);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/widget/tarball/unknown-branch', { token })).status, 404);
});
