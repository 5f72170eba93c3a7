import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, JobStatus, OpamRepoAnalysis, Pipeline } from '../../../../lib/contract/index.ts';
import { presetPlatforms } from '../../../../lib/analysis/index.ts';
import { opamRepoJobSpec } from '../../../../lib/opam-repo/index.ts';
import { COMMENT_MARKER, MAX_COMMENT_CHARS, commentBody, linterStatus, opamCiStatus, viewOf } from '../../../../app/opam-repo-pr/report/index.ts';
import { reproduceScript } from '../../../../app/web/reproduce.ts';

const SHA = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const URL = 'https://cid.example.org';
const [platform] = presetPlatforms('minimal');

const pipeline: Pipeline = {
  id: `ocaml/opam-repository@${SHA}`,
  repo: 'ocaml/opam-repository',
  sha: SHA,
  refs: ['pull/7'],
  status: 'running',
  dropped: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function job(name: string, status: JobStatus, extra: Partial<Job> = {}): Job {
  return {
    id: `j-${name}`,
    pipelineId: pipeline.id,
    repo: pipeline.repo,
    sha: SHA,
    name,
    kind: name === '(analysis)' ? 'analysis' : 'opam-repo',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'github', repo: pipeline.repo, sha: SHA, cloneUrl: 'https://github.com/ocaml/opam-repository.git', fetchRef: 'refs/pull/7/head', fromFork: true, baseSha: BASE },
    experimental: false,
    attempt: 1,
    generation: 1,
    status,
    timeoutSeconds: 7200,
    cancelRequested: false,
    queuedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

const analysis: OpamRepoAnalysis = {
  baseSha: BASE,
  packages: [
    { pkg: 'fmt.0.10.0', change: 'new-release', hasTests: true },
    { pkg: 'astring.0.8.6', change: 'insignificantly-changed', hasTests: false },
  ],
  lint: [
    { level: 'error', pkg: 'fmt.0.10.0', message: "Error in fmt.0.10.0: Missing field 'maintainer'" },
    { level: 'warning', pkg: 'fmt.0.10.0', message: "Warning in fmt.0.10.0: Missing field 'license'" },
  ],
  jobs: [
    { name: 'compilers,5.5,fmt.0.10.0', variant: 'debian-13-5.5_opam-2.5', pkg: 'fmt.0.10.0', type: 'build', experimental: false },
    { name: 'compilers,4.14,fmt.0.10.0', variant: 'debian-13-4.14_opam-2.5', pkg: 'fmt.0.10.0', type: 'build', experimental: false },
    { name: 'compilers,5.5,fmt.0.10.0,tests', variant: 'debian-13-5.5_opam-2.5', pkg: 'fmt.0.10.0', type: 'tests', experimental: false },
  ],
  revdeps: [{ pkg: 'fmt.0.10.0', total: 40, capped: 38, builds: [{ variant: 'debian-13-5.5_opam-2.5', packages: ['logs.0.7.0', 'alcotest.1.7.0'] }] }],
};

const analysisJob = (status: JobStatus, out: OpamRepoAnalysis | undefined = analysis, reason?: string) =>
  job('(analysis)', status, { ...(out ? { output: { jobs: [], dropped: [], info: { roots: [], pinned: [], monorepo: false }, opamRepo: out } } : {}), ...(reason ? { reason } : {}) });

const spec = opamRepoJobSpec({ platform: platform as never, pkg: 'fmt.0.10.0', type: 'build' });
const builds = (s: [JobStatus, JobStatus, JobStatus], revdeps: [JobStatus, JobStatus]) => [
  job('compilers,5.5,fmt.0.10.0', s[0], { spec }),
  job('compilers,4.14,fmt.0.10.0', s[1], { spec, reason: 'opam-repo-ci detected dependencies failing: topkg' }),
  job('compilers,5.5,fmt.0.10.0,tests', s[2], { spec }),
  job('compilers,5.5,fmt.0.10.0,revdeps,logs.0.7.0', revdeps[0], { priority: 'bulk', spec, reason: 'exit 1' }),
  job('compilers,5.5,fmt.0.10.0,revdeps,alcotest.1.7.0', revdeps[1], { priority: 'bulk', spec }),
];

describe('commit statuses', () => {
  test('pending while analysing and running, then the verdict in opam-repo-ci words', () => {
    const v = (jobs: Job[]) => viewOf(pipeline, jobs);
    assert.deepEqual(opamCiStatus(v([job('(analysis)', 'running')])), { context: 'opam-ci', state: 'pending', description: 'Analysing the changes' });
    assert.deepEqual(linterStatus(v([job('(analysis)', 'queued')])), { context: 'opam-repo-ci (linter)', state: 'pending', description: 'Linting' });
    assert.equal(opamCiStatus(v([analysisJob('passed')])).description, 'Running', 'jobs not created yet');
    assert.equal(opamCiStatus(v([analysisJob('passed'), ...builds(['passed', 'running', 'queued'], ['queued', 'queued'])])).state, 'pending');
    assert.deepEqual(opamCiStatus(v([analysisJob('passed'), ...builds(['passed', 'passed', 'passed'], ['passed', 'skipped'])])), {
      context: 'opam-ci',
      state: 'success',
      description: 'Passed - 4 jobs passed, 1 job skipped',
    });
    assert.deepEqual(opamCiStatus(v([analysisJob('passed'), ...builds(['passed', 'failed', 'passed'], ['errored', 'skipped'])])), {
      context: 'opam-ci',
      state: 'failure',
      description: 'Failed - 2 jobs failed, 1 job skipped, 2 jobs passed',
    });
  });

  test('no build, everything skipped, accepted failures, a failed analysis', () => {
    const empty = { ...analysis, jobs: [], revdeps: [] };
    assert.deepEqual(opamCiStatus(viewOf(pipeline, [analysisJob('passed', empty)])), { context: 'opam-ci', state: 'success', description: 'Passed - No build was necessary' });
    assert.equal(opamCiStatus(viewOf(pipeline, [analysisJob('passed'), ...builds(['skipped', 'skipped', 'skipped'], ['skipped', 'skipped'])])).description, 'Failed - Everything was skipped');
    const accepted = builds(['passed', 'failed', 'passed'], ['passed', 'passed']).map((j) => (j.status === 'failed' ? { ...j, experimental: true } : j));
    assert.deepEqual(opamCiStatus(viewOf(pipeline, [analysisJob('passed'), ...accepted])).description, 'Passed - 4 jobs passed, 1 job skipped');
    const conflict = { packages: [], lint: [], jobs: [], revdeps: [], baseSha: BASE, failure: 'Cannot merge to master - please rebase!' };
    const failed = viewOf(pipeline, [analysisJob('failed', conflict, 'Cannot merge to master - please rebase!')]);
    assert.deepEqual(opamCiStatus(failed), { context: 'opam-ci', state: 'failure', description: 'Failed - Cannot merge to master - please rebase!' });
    assert.deepEqual(linterStatus(failed), { context: 'opam-repo-ci (linter)', state: 'error', description: 'Not linted - Cannot merge to master - please rebase!' });
    assert.ok(opamCiStatus(viewOf(pipeline, [analysisJob('failed', { ...conflict, failure: 'x'.repeat(300) })])).description.length <= 140);
  });

  test('the linter: errors fail it, warnings alone pass', () => {
    assert.deepEqual(linterStatus(viewOf(pipeline, [analysisJob('passed')])), { context: 'opam-repo-ci (linter)', state: 'failure', description: 'Failed - 1 error, 1 warning' });
    const warned = { ...analysis, lint: analysis.lint.filter((l) => l.level === 'warning') };
    assert.deepEqual(linterStatus(viewOf(pipeline, [analysisJob('passed', warned)])), { context: 'opam-repo-ci (linter)', state: 'failure', description: 'Failed - 1 warning' }, 'warnings fail it too, as in opam-repo-ci');
    assert.deepEqual(linterStatus(viewOf(pipeline, [analysisJob('passed', { ...analysis, lint: [] })])), { context: 'opam-repo-ci (linter)', state: 'success', description: 'Passed' });
    assert.equal(linterStatus(viewOf(pipeline, [analysisJob('passed', { ...analysis, lint: [] })])).description, 'Passed');
  });
});

describe('the status comment', () => {
  test('packages, a table of releases × platforms linking to each log, revdeps, lint in full, how to reproduce the first failure', () => {
    const body = commentBody({ view: viewOf(pipeline, [analysisJob('passed'), ...builds(['passed', 'failed', 'running'], ['failed', 'passed'])]), publicUrl: URL, reproduce: reproduceScript });
    const link = (name: string) => `${URL}/github/ocaml/opam-repository/commit/${SHA}/variant/${encodeURIComponent(name)}`;
    assert.ok(body.startsWith(`${COMMENT_MARKER}\n## opam-repo-ci: ⏳ running`), body.slice(0, 200));
    assert.ok(body.includes(`merged into \`${BASE.slice(0, 7)}\``));
    assert.ok(body.includes('| fmt.0.10.0 | new release (has tests) |'));
    assert.ok(body.includes('| astring.0.8.6 | changed insignificantly (not built) |'));
    assert.ok(body.includes(`| compilers,5.5 | [✅](${link('compilers,5.5,fmt.0.10.0')}) |`), body);
    assert.ok(body.includes(`| compilers,4.14 | [❌](${link('compilers,4.14,fmt.0.10.0')}) |`));
    assert.ok(body.includes(`| tests | [⏳ 5.5](${link('compilers,5.5,fmt.0.10.0,tests')}) |`));
    assert.ok(body.includes('| fmt.0.10.0 | 40 | 2 (38 over the cap) | 1 | 1 | 0 |'));
    assert.ok(body.includes(`- [compilers,5.5,fmt.0.10.0,revdeps,logs.0.7.0](${link('compilers,5.5,fmt.0.10.0,revdeps,logs.0.7.0')}): exit 1`));
    assert.ok(body.includes("```\nError in fmt.0.10.0: Missing field 'maintainer'\nWarning in fmt.0.10.0: Missing field 'license'\n```"));
    // The first failure is the release's own build, not a revdep.
    assert.ok(body.includes(`### To reproduce [\`compilers,4.14,fmt.0.10.0\`](${link('compilers,4.14,fmt.0.10.0')}) locally`));
    assert.ok(body.includes(`git -c advice.detachedHead=false checkout ${BASE}\ngit -c user.name=cid -c user.email=cid@localhost merge --no-edit ${SHA}`));
    assert.ok(body.includes('FROM ocaml/opam:debian-13-ocaml-5.5'));
  });

  test('skipped and accepted cells; a verdict when done; a failed analysis says why', () => {
    const jobs = builds(['passed', 'skipped', 'passed'], ['passed', 'passed']);
    const body = commentBody({ view: viewOf(pipeline, [analysisJob('passed'), ...jobs]), publicUrl: URL });
    assert.match(body, /## opam-repo-ci: ✅ passed/);
    assert.match(body, /\| compilers,4\.14 \| \[skipped\]\(/);
    assert.ok(!body.includes('To reproduce'));
    const failed = commentBody({
      view: viewOf(pipeline, [analysisJob('failed', { packages: [], lint: [], jobs: [], revdeps: [], baseSha: BASE, failure: 'Cannot merge to master - please rebase!' }, 'Cannot merge to master - please rebase!')]),
      publicUrl: URL,
    });
    assert.match(failed, /## opam-repo-ci: ❌ failed/);
    assert.match(failed, /\*\*The analysis failed\*\*: Cannot merge to master - please rebase!/);
  });

  test('stays under GitHub’s size limit with thousands of revdeps', () => {
    const many = Array.from({ length: 3000 }, (_, i) => job(`compilers,5.5,fmt.0.10.0,revdeps,pkg${i}.1.0`, 'failed', { reason: 'a long reason '.repeat(20) }));
    const plan = { ...analysis, revdeps: [{ pkg: 'fmt.0.10.0', total: 3000, capped: 0, builds: [{ variant: 'v', packages: many.map((_, i) => `pkg${i}.1.0`) }] }] };
    const body = commentBody({ view: viewOf(pipeline, [analysisJob('passed', plan), ...builds(['passed', 'passed', 'passed'], ['passed', 'passed']), ...many]), publicUrl: URL });
    assert.ok(body.length <= MAX_COMMENT_CHARS, String(body.length));
    assert.match(body, /- … and \d+ more/);
    assert.ok(body.includes('| fmt.0.10.0 | 3000 | 3000 | 2 | 3000 | 0 |'), body.slice(0, 3000));
  });
});
