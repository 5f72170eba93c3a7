// The (analysis) job of an opam repository, on real git repositories made of snapshot releases:
// the PR's head is merged into its base (which moved on meanwhile), the changed releases are
// classified, linted and planned; conflicts and stray paths fail the analysis.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult, Job, Source } from '../../../lib/contract/index.ts';
import { AnalysisResultSchema } from '../../../lib/contract/index.ts';
import { presetPlatforms } from '../../../lib/analysis/index.ts';
import { runOpamRepoAnalysis } from '../../../runner/jobs/opam-repo-analysis.ts';
import { runAnalysisJob } from '../../../runner/jobs/analysis-job.ts';
import { fetchMergedSource, MERGE_CONFLICT, SourceError } from '../../../runner/source/index.ts';
import type { JobToken } from '../../../runner/source/index.ts';
import { ensureOpamSnapshot } from '../../support/opam-snapshot.ts';
import { opamGitRepo, releaseDir, type OpamGitRepo } from '../../support/opam-git-repo.ts';
import { analysisJob } from './analysis-job-fixture.ts';

let snapshot: string | undefined;
let repo: OpamGitRepo;
/** master after the PRs forked: another release landed. */
let base: string;
/** Where the PR branches start. */
let fork: string;

const BASE_RELEASES = ['fmt.0.9.0', 'astring.0.8.5', 'cmdliner.1.3.0', 'alcotest.1.7.0', 'logs.0.7.0'];

before(async () => {
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) {
    if (process.env.CI === 'true') throw new Error(snap.reason);
    return;
  }
  snapshot = snap.dir;
  repo = opamGitRepo(snapshot, BASE_RELEASES);
  repo.serveAnySha();
  fork = repo.commit('base');
  // master moves on after the PRs forked: a PR must not look as if it deleted this.
  repo.copy('fmt.0.8.8');
  base = repo.commit('master moves on');
});

function skipIfNoSnapshot(t: { skip(msg: string): void }): boolean {
  if (snapshot !== undefined) return false;
  t.skip('opam-repository snapshot not available (see test/support/opam-snapshot.ts)');
  return true;
}

function pr(name: string, change: (r: OpamGitRepo) => void): string {
  repo.branch(name, fork);
  change(repo);
  const sha = repo.commit(name);
  repo.git('checkout', '-q', 'master');
  return sha;
}

const workDir = mkdtempSync(join(tmpdir(), 'cid-opam-analysis-'));
const noToken = async (): Promise<JobToken> => {
  throw new Error('a local source needs no token');
};

function job(head: string, source?: Partial<Source>): Job {
  const src = { kind: 'local', path: repo.path, sha: head, baseSha: base, ...source } as Source;
  return analysisJob({ repo: 'ocaml/opam-repository', sha: head, source: src, preset: 'minimal', opamRepoCommit: 'master' });
}

async function analyse(head: string, source?: Partial<Source>): Promise<{ status: string; reason?: string; result: AnalysisResult; log: string }> {
  let log = '';
  const out = await runOpamRepoAnalysis(job(head, source), { workDir, token: noToken, platforms: presetPlatforms('minimal'), log: (l) => (log += l) });
  return { status: out.status, ...(out.reason ? { reason: out.reason } : {}), result: AnalysisResultSchema.parse(out.output), log };
}

test('a new release: merged into the moved base, built on every platform, its revdeps planned', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const head = pr('new-release', (r) => r.copy('fmt.0.10.0'));
  const { status, result, log } = await analyse(head);
  assert.equal(status, 'passed', log);
  const o = result.opamRepo;
  assert.ok(o);
  assert.equal(o.baseSha, base);
  assert.deepEqual(o.packages, [{ pkg: 'fmt.0.10.0', change: 'new-release', hasTests: false }], 'fmt.0.8.8 (only on master) is not a change');
  assert.deepEqual(
    o.jobs.map((j) => j.name),
    ['compilers,5.5,fmt.0.10.0', 'compilers,4.14,fmt.0.10.0', 'compilers,4.14,fmt.0.10.0,lower-bounds'],
  );
  assert.deepEqual(o.lint, []);
  const [r] = o.revdeps;
  assert.equal(r?.pkg, 'fmt.0.10.0');
  // alcotest needs fmt >= 0.8.7 (direct); logs has fmt as a depopt.
  assert.deepEqual(r?.builds.map((b) => [b.variant, b.packages]), [
    ['debian-13-4.14_opam-2.5', ['alcotest.1.7.0', 'logs.0.7.0']],
    ['debian-13-5.5_opam-2.5', ['alcotest.1.7.0', 'logs.0.7.0']],
  ]);
  assert.match(log, /fmt\.0\.10\.0: new-release/);
});

test('metadata-only edits are insignificant: classified, linted, not built', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const path = `${releaseDir('astring.0.8.5')}/opam`;
  const head = pr('insignificant', (r) => r.write(path, r.read(path).replace('homepage: "https://erratique.ch/software/astring"', 'homepage: "https://example.org/astring"\n# a comment')));
  const { status, result } = await analyse(head);
  assert.equal(status, 'passed');
  assert.deepEqual(result.opamRepo?.packages, [{ pkg: 'astring.0.8.5', change: 'insignificantly-changed', hasTests: false }]);
  assert.deepEqual(result.opamRepo?.jobs, []);
  assert.deepEqual(result.opamRepo?.revdeps, []);
});

test('a changed dependency is significant: rebuilt with its revdeps', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const path = `${releaseDir('cmdliner.1.3.0')}/opam`;
  const head = pr('significant', (r) => r.write(path, r.read(path).replace('"ocaml" {>= "4.08.0"}', '"ocaml" {>= "4.08.0"}\n  "seq"')));
  const { status, result } = await analyse(head);
  assert.equal(status, 'passed');
  assert.deepEqual(result.opamRepo?.packages, [{ pkg: 'cmdliner.1.3.0', change: 'significantly-changed', hasTests: false }]);
  assert.ok(result.opamRepo?.jobs.some((j) => j.name === 'compilers,5.5,cmdliner.1.3.0'));
  // alcotest depends on cmdliner; fmt and logs have it as an optional dependency.
  assert.deepEqual(result.opamRepo?.revdeps[0]?.builds[0]?.packages, ['alcotest.1.7.0', 'fmt.0.9.0', 'logs.0.7.0']);
});

test('a deleted release, and a release made unavailable, are not built', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const head = pr('delete', (r) => {
    r.remove(releaseDir('astring.0.8.5'));
    const path = `${releaseDir('logs.0.7.0')}/opam`;
    r.write(path, `${r.read(path)}\navailable: false\n`);
  });
  const { status, result } = await analyse(head);
  assert.equal(status, 'passed');
  assert.deepEqual(result.opamRepo?.packages, [
    { pkg: 'astring.0.8.5', change: 'deleted', hasTests: false },
    // logs has a with-test dependency (mtime).
    { pkg: 'logs.0.7.0', change: 'unavailable', hasTests: true },
  ]);
  assert.deepEqual(result.opamRepo?.jobs, []);
});

test('a new package: lint errors in opam-repo-ci wording; a tests job when it has tests', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const dir = 'packages/frobnicate/frobnicate.1.0';
  const head = pr('new-package', (r) => {
    r.write(
      `${dir}/opam`,
      [
        'opam-version: "2.0"',
        'maintainer: "Someone"',
        'synopsis: "Frobnicates"',
        'license: "MIT"',
        'depends: ["dune" {build} "fmt" {>= "0.9.0"} "alcotest" {with-test}]',
        'build: [["dune" "subst"] ["dune" "build" "-p" name]]',
        'pin-depends: [["fmt.dev" "git+https://example.org/fmt.git"]]',
        'url { src: "https://example.org/frobnicate-1.0.tbz" checksum: "md5=00000000000000000000000000000000" }',
        '',
      ].join('\n'),
    );
    r.write(`${dir}/notes.txt`, 'stray\n');
    r.write(`${dir}/files/fix.patch`, 'patch\n', 0o755);
  });
  const { status, result } = await analyse(head);
  assert.equal(status, 'passed');
  const o = result.opamRepo;
  assert.deepEqual(o?.packages, [{ pkg: 'frobnicate.1.0', change: 'new-package', hasTests: true }]);
  const messages = o?.lint.map((l) => l.message) ?? [];
  const want = [
    /^Error in frobnicate\.1\.0: Opam lint warning 25: Missing field 'authors'$/,
    /^Error in frobnicate\.1\.0: Opam lint warning 35: Missing field 'homepage'$/,
    /^Error in frobnicate\.1\.0: Opam lint warning 36: Missing field 'bug-reports'$/,
    /^Error in frobnicate\.1\.0: Opam lint warning 37: Missing field 'dev-repo'$/,
    /^Warning in frobnicate\.1\.0: Dubious use of 'dune subst'/,
    /^Error in frobnicate\.1\.0: Weak checksum algorithm\(s\) provided/,
    /^Error in frobnicate\.1\.0: Unexpected file in packages\/frobnicate\/frobnicate\.1\.0\/files$/,
    /^Error in frobnicate\.1\.0: Unexpected file in packages\/frobnicate\/frobnicate\.1\.0\/notes\.txt$/,
    /^Error in frobnicate\.1\.0: There is no way to contact the maintainer\(s\) 'Someone'/,
    /^Error in frobnicate\.1\.0: pin-depends present/,
    /^Warning in frobnicate\.1\.0: The package tagged dune as a build dependency/,
  ];
  for (const w of want) assert.ok(messages.some((e) => w.test(e)), `expected ${w} in\n${messages.join('\n')}`);
  assert.equal(messages.length, want.length, messages.join('\n'));
  assert.deepEqual(
    o?.jobs.map((j) => j.name),
    ['compilers,5.5,frobnicate.1.0', 'compilers,4.14,frobnicate.1.0', 'compilers,5.5,frobnicate.1.0,tests', 'compilers,4.14,frobnicate.1.0,lower-bounds'],
  );
  assert.deepEqual(o?.revdeps, [], 'a new package has no revdeps outside the PR');
});

test('a path under packages/ that is not a release file fails the analysis', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const head = pr('bad-path', (r) => {
    r.copy('fmt.0.10.0');
    r.write('packages/fmt/README.md', 'hello\n');
    r.write('README.md', 'ignored: outside packages/\n');
  });
  const { status, reason, result } = await analyse(head);
  assert.equal(status, 'failed');
  assert.equal(reason, `Unexpected path "packages/fmt/README.md" in output (expecting 'packages/pkg/pkg.ver/...')`);
  assert.deepEqual(result.opamRepo?.jobs, []);
  assert.equal(result.opamRepo?.failure, reason);
  assert.deepEqual(result.opamRepo?.packages.map((p) => p.pkg), ['fmt.0.10.0'], 'what could be read is still reported');
});

test('a PR that conflicts with its base fails with opam-repo-ci\'s message', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const path = `${releaseDir('fmt.0.9.0')}/opam`;
  const head = pr('conflict', (r) => r.write(path, r.read(path).replace('synopsis: """OCaml Format pretty-printer combinators"""', 'synopsis: "From the PR"')));
  repo.git('checkout', '-q', 'master');
  repo.write(path, repo.read(path).replace('synopsis: """OCaml Format pretty-printer combinators"""', 'synopsis: "From master"'));
  const moved = repo.commit('master edits the same line');
  try {
    let log = '';
    const out = await runOpamRepoAnalysis(job(head, { baseSha: moved }), { workDir, token: noToken, platforms: presetPlatforms('minimal'), log: (l) => (log += l) });
    assert.equal(out.status, 'failed');
    assert.equal(out.reason, 'Cannot merge to master - please rebase!');
    assert.match(log, /packages\/fmt\/fmt\.0\.9\.0\/opam/);
    await assert.rejects(fetchMergedSource({ kind: 'local', path: repo.path, sha: head, baseSha: moved }, mkdtempSync(join(tmpdir(), 'cid-merged-')), { workDir, token: noToken }), (err: unknown) => err instanceof SourceError && err.message === MERGE_CONFLICT);
  } finally {
    repo.git('reset', '-q', '--hard', base);
  }
});

test('a GitHub source is fetched over git (here file://) into a cached store; build jobs get the merged tree', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const head = pr('github-source', (r) => r.copy('fmt.0.10.0'));
  const github: Partial<Source> = { kind: 'github', repo: 'ocaml/opam-repository', cloneUrl: `file://${repo.path}`, fromFork: true, fetchRef: 'refs/pull/1/head' } as Partial<Source>;
  let tokens = 0;
  const token = async (): Promise<JobToken> => {
    tokens++;
    return { token: 'ghs_test', expiresAt: new Date(Date.now() + 3600_000).toISOString(), apiUrl: 'http://127.0.0.1:1', repo: 'ocaml/opam-repository' };
  };
  const own = mkdtempSync(join(tmpdir(), 'cid-opam-gh-'));
  let log = '';
  const out = await runOpamRepoAnalysis(job(head, github), { workDir: own, token, platforms: presetPlatforms('minimal'), log: (l) => (log += l) });
  assert.equal(out.status, 'passed', log);
  assert.deepEqual(AnalysisResultSchema.parse(out.output).opamRepo?.packages.map((p) => p.pkg), ['fmt.0.10.0']);
  assert.equal(tokens, 1);
  assert.ok(existsSync(join(own, 'git-cache', 'ocaml+opam-repository.git', 'HEAD')), 'the store is kept for the next job');

  const dir = mkdtempSync(join(tmpdir(), 'cid-merged-'));
  await fetchMergedSource({ ...(github as object), sha: head, baseSha: base } as Source & { baseSha: string }, dir, { workDir: own, token });
  assert.equal(tokens, 1, 'the second job of the PR fetches nothing');
  assert.deepEqual(readdirSync(join(dir, 'packages', 'fmt')).sort(), ['fmt.0.10.0', 'fmt.0.8.8', 'fmt.0.9.0'], 'PR and base both');
  assert.equal(readFileSync(join(dir, 'repo'), 'utf8'), 'opam-version: "2.0"\n');
});

test('runAnalysisJob detects an opam repository by its files; a branch push builds nothing', async (t) => {
  if (skipIfNoSnapshot(t)) return;
  const src = mkdtempSync(join(tmpdir(), 'cid-src-'));
  await fetchMergedSource({ kind: 'local', path: repo.path, sha: base, baseSha: base }, src, { workDir, token: noToken });
  const j = job(base, { baseSha: undefined } as Partial<Source>);
  delete (j.source as { baseSha?: string }).baseSha;
  let log = '';
  const out = await runAnalysisJob(j, src, (l) => (log += l), { workDir, token: noToken });
  assert.equal(out.status, 'passed', log);
  assert.match(log, /as an opam repository/);
  assert.match(log, /not a pull request, nothing to build/);
  assert.deepEqual(AnalysisResultSchema.parse(out.output), { jobs: [], dropped: [], info: { roots: [], pinned: [], monorepo: false }, opamRepo: { packages: [], lint: [], jobs: [], revdeps: [] } });
});
