// Pages and the "To reproduce locally" block of a `cid local` run's repository (issue #11): labelled
// as local, without links to GitHub that cannot work; the reproduction clones from the path given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Pipeline, Repository } from '../../../lib/contract/index.ts';
import { reproduceScript } from '../../../app/web/reproduce.ts';
import { commitPage, jobPageHead, ownerPage, repoPage } from '../../../app/web/views/index.ts';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const at = '2026-01-01T00:00:00.000Z';
const ctx = { canSignIn: false, path: '/' };
const spec = { from: 'cid-test/ocaml:bookworm', steps: [{ op: 'run' as const, shell: 'dune build', network: false, cache: [] }] };

const local: Repository = {
  name: 'local/my-project',
  description: '/home/me/src/my project',
  kind: 'git',
  url: 'file:///home/me/src/my%20project',
  private: false,
  defaultBranch: 'main',
  active: true,
  createdAt: at,
  updatedAt: at,
};
const github: Repository = { ...local, name: 'ocaml/dune', description: 'A build system', url: 'https://github.com/ocaml/dune' };
const pipeline = (repo: Repository): Pipeline => ({ id: `${repo.name}@${SHA}`, repo: repo.name, sha: SHA, refs: ['refs/heads/main'], status: 'passed', dropped: [], createdAt: at, updatedAt: at });

function job(repo: Repository, source: Job['source']): Job {
  return {
    id: 'j1',
    pipelineId: `${repo.name}@${SHA}`,
    repo: repo.name,
    sha: SHA,
    name: 'debian-12-4.13_opam-2.5',
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    spec,
    source,
    experimental: false,
    attempt: 1,
    generation: 1,
    status: 'passed',
    timeoutSeconds: 3600,
    cancelRequested: false,
    queuedAt: at,
  };
}
const localJob = job(local, { kind: 'local', path: '/home/me/src/my project', sha: SHA });
const githubJob = job(github, { kind: 'github', repo: 'ocaml/dune', sha: SHA, cloneUrl: 'https://github.com/ocaml/dune.git', fetchRef: 'refs/pull/12/head', fromFork: false });

const crumbs = (page: string) => /<nav class="crumbs"[^>]*>(.*?)<\/nav>/s.exec(page)?.[1] ?? '';

test('a local repository is labelled local, with its path, and no link to GitHub', () => {
  for (const page of [
    commitPage(ctx, { repo: local, pipeline: pipeline(local), jobs: [localJob], canWrite: false }),
    repoPage(ctx, local, []),
    jobPageHead(ctx, { repo: local, job: localJob, runs: [], live: false, canWrite: false }),
  ]) {
    assert.doesNotMatch(page, /on GitHub|#\/commit\/|file:\/\//, 'no link that cannot work');
    assert.match(crumbs(page), /^<a href="\/">local repository<\/a><span class="sep">\/<\/span><(a|span)[^>]*>my-project</);
    assert.doesNotMatch(crumbs(page), />github</, 'no "github" crumb');
  }
  assert.match(repoPage(ctx, local, []), /<span class="tag" title="built by cid local">local<\/span> <span class="mono">\/home\/me\/src\/my project<\/span>/);
  assert.match(crumbs(ownerPage(ctx, 'local', [local])), /^<span>local repositories<\/span>$/);
});

test('a GitHub repository keeps its GitHub crumbs and links', () => {
  const page = commitPage(ctx, { repo: github, pipeline: pipeline(github), jobs: [githubJob], canWrite: false });
  assert.match(page, new RegExp(`<a href="https://github.com/ocaml/dune/commit/${SHA}">commit on GitHub</a>`));
  assert.match(crumbs(page), /^<a href="\/">github<\/a><span class="sep">\/<\/span><a href="\/github\/ocaml">ocaml<\/a>/);
  assert.match(crumbs(ownerPage(ctx, 'ocaml', [github])), /^<a href="\/">github<\/a>/);
});

test('to reproduce a GitHub job: clone into a fresh temporary directory, fetch, check out, build', () => {
  const lines = (reproduceScript(githubJob) ?? '').split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    'cd "$(mktemp -d)"',
    `git clone --recursive 'https://github.com/ocaml/dune.git' 'dune' && cd 'dune'`,
    `git fetch origin 'refs/pull/12/head'`,
    `git -c advice.detachedHead=false checkout ${SHA}`,
  ]);
  assert.equal(lines[4], `cat > ../Dockerfile <<'END-OF-DOCKERFILE'`);
  assert.equal(lines.at(-2), 'docker build -f ../Dockerfile .');
});

test('to reproduce a local job: clone from the path given into a fresh temporary directory, never in the checkout', () => {
  const script = reproduceScript(localJob) ?? '';
  const lines = script.split('\n');
  assert.match(lines[0]!, /^# .*\/home\/me\/src\/my project/);
  assert.deepEqual(lines.slice(1, 4), ['cd "$(mktemp -d)"', `git clone --recursive '/home/me/src/my project' src && cd src`, `git -c advice.detachedHead=false checkout ${SHA}`]);
  assert.doesNotMatch(script, /^cd '\/home\/me/m, 'the user\'s own checkout is left alone');
});
