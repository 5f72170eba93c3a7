// The (analysis) job solves against the pinned opam-repository commit: its packages/*/*/opam
// files are fetched (with blobs) into the work directory and read into a Universe once per commit
// per process. Here opam-repository is the snapshot as a git repository, over file://.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../../lib/contract/index.ts';
import { AnalysisResultSchema } from '../../../lib/contract/index.ts';
import { runAnalysisJob } from '../../../runner/jobs/analysis-job.ts';
import { ocamlReleasesAt } from '../../../runner/jobs/ocaml-releases.ts';
import { universeAt } from '../../../runner/jobs/opam-repo-universe.ts';
import { OPAM_SNAPSHOT_FILE_COUNT, opamSnapshotDir } from '../../support/opam-snapshot.ts';
import { opamSnapshotGit } from '../../support/opam-snapshot-git.ts';
import { analysisJob as fixtureJob } from './analysis-job-fixture.ts';

const FIXTURE = new URL('../../fixtures/analysis/needs-ocaml-5/', import.meta.url).pathname;
const workDir = () => mkdtempSync(join(tmpdir(), 'cid-universe-'));

function analysisJob(sourcePath: string, opamRepoCommit: string): Job {
  const sha = '1111111111111111111111111111111111111111';
  return fixtureJob({ repo: 'ocaml/app', sha, source: { kind: 'local', path: sourcePath, sha }, preset: 'minimal', opamRepoCommit });
}

test('the packages of the pinned commit are read once per commit per process', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const repo = (await opamSnapshotGit())!;
  const opts = { url: `file://${repo.path}`, workDir: workDir() };
  const first = await universeAt(repo.commit, opts);
  assert.ok(first.ok, first.ok ? '' : first.reason);
  assert.equal(first.releases, OPAM_SNAPSHOT_FILE_COUNT);
  assert.equal(first.cached, false);
  const again = await universeAt(repo.commit, opts);
  assert.ok(again.ok && again.cached && again.universe === first.universe);
});

test('(analysis) solves each platform: one where a dependency needs OCaml 5 is dropped with the explanation', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const repo = (await opamSnapshotGit())!;
  const src = mkdtempSync(join(tmpdir(), 'cid-app-'));
  cpSync(FIXTURE, src, { recursive: true });
  const opts = { url: `file://${repo.path}`, workDir: workDir() };
  let log = '';
  const out = await runAnalysisJob(analysisJob(src, repo.commit), src, (l) => (log += l), undefined, (c) => ocamlReleasesAt(c, opts), (c) => universeAt(c, opts));
  assert.equal(out.status, 'passed', log);
  assert.match(log, new RegExp(`Solving against opam-repository ${repo.commit}: ${OPAM_SNAPSHOT_FILE_COUNT} releases`));
  const result = AnalysisResultSchema.parse(out.output);
  assert.deepEqual(result.jobs.filter((j) => j.kind === 'build').map((j) => j.name), ['debian-13-5.5_opam-2.5']);
  const dropped = result.dropped.find((d) => d.variant === 'debian-13-4.14_opam-2.5');
  assert.match(dropped?.reason ?? '', /app\.dev requires eio; .*require ocaml \{>= "5/);
  assert.match(log, /not built: debian-13-4\.14_opam-2\.5: you asked for app\.dev/);
  const deps = result.jobs[0]!.spec.steps.find((s) => s.op === 'env' && s.name === 'DEPS');
  assert.match(deps?.op === 'env' ? deps.value : '', /(^| )eio\.\d/);
});

test('(analysis) without a readable opam-repository judges platforms as before and says it does not solve', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const src = mkdtempSync(join(tmpdir(), 'cid-app-'));
  cpSync(FIXTURE, src, { recursive: true });
  const opts = { url: 'file:///nonexistent/opam-repository', workDir: workDir() };
  let log = '';
  const commit = '97014be61691efb695da5de8e860cba5d74fa1f5';
  const out = await runAnalysisJob(analysisJob(src, commit), src, (l) => (log += l), undefined, (c) => ocamlReleasesAt(c, opts), (c) => universeAt(c, opts));
  assert.equal(out.status, 'passed', log);
  assert.match(log, /Not solving \(opam-repository 97014be\S* could not be read from file:\/\/\/nonexistent\/opam-repository: .*\): platforms are judged by `available` and the `ocaml` constraint alone/);
  const result = AnalysisResultSchema.parse(out.output);
  assert.deepEqual(result.jobs.filter((j) => j.kind === 'build').map((j) => j.name), ['debian-13-5.5_opam-2.5', 'debian-13-4.14_opam-2.5']);
  assert.ok(!result.jobs.some((j) => j.spec.steps.some((s) => s.op === 'env' && s.name === 'DEPS')));
});
