// The default catalogue follows the pinned opam-repository: the (analysis) job lists the OCaml
// releases of the commit it is given, from a git repository made of the snapshot's
// ocaml-base-compiler releases (fetched over file://, as a runner fetches GitHub's).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../../lib/contract/index.ts';
import { AnalysisResultSchema } from '../../../lib/contract/index.ts';
import { BUILTIN_OCAML_RELEASES, canInstallOpamDuneLint, defaultPlatforms } from '../../../lib/analysis/index.ts';
import { runAnalysisJob } from '../../../runner/jobs/analysis-job.ts';
import { ocamlReleasesAt } from '../../../runner/jobs/ocaml-releases.ts';
import { ensureOpamSnapshot, opamSnapshotDir } from '../../support/opam-snapshot.ts';
import { opamGitRepo, type OpamGitRepo } from '../../support/opam-git-repo.ts';
import { analysisJob as fixtureJob } from './analysis-job-fixture.ts';

const FIXTURE = new URL('../../fixtures/analysis/needs-newest-ocaml/', import.meta.url).pathname;

/**
 * The latest patch of each minor from 4.14 to the newest, newest first, computed here from the
 * directory names on its own (final releases only: no ~alpha/~beta/~rc, no +variant).
 */
function expectedReleases(names: readonly string[]): string[] {
  const best = new Map<string, number[]>();
  for (const n of names) {
    const m = /^ocaml-base-compiler\.(\d+)\.(\d+)\.(\d+)$/.exec(n);
    if (!m) continue;
    const v = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (v[0]! < 4 || (v[0] === 4 && v[1]! < 14)) continue;
    const key = `${v[0]}.${v[1]}`;
    const seen = best.get(key);
    if (!seen || v[2]! > seen[2]!) best.set(key, v);
  }
  return [...best.values()].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!).map((v) => v.join('.'));
}

let snapshot: string | undefined;
let repo: OpamGitRepo;
let pinned: string;
let compilers: string[];

before(async () => {
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) return; // each test then skips, or fails when CI=true
  snapshot = snap.dir;
  compilers = readdirSync(join(snapshot, 'packages/ocaml-base-compiler'));
  repo = opamGitRepo(snapshot, compilers);
  repo.serveAnySha();
  pinned = repo.commit('opam-repository with the snapshot compilers');
});

const workDir = () => mkdtempSync(join(tmpdir(), 'cid-ocaml-releases-'));
const url = () => `file://${repo.path}`;

test('the default catalogue holds the latest patch of every OCaml minor from 4.14 to the newest in the snapshot', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const expected = expectedReleases(compilers);
  assert.ok(expected.length >= 7 && expected.at(-1)?.startsWith('4.14.'), `found ${expected.join(', ')}`);
  const found = await ocamlReleasesAt(pinned, { url: url(), workDir: workDir() });
  assert.equal(found.source, `opam-repository ${pinned}`);
  assert.deepEqual(found.releases, expected);
  const main = defaultPlatforms(found.releases).filter((p) => p.distro === 'debian-13' && p.arch === 'x86_64');
  assert.deepEqual(
    main.map((p) => p.ocamlVersion),
    expected,
  );
  assert.deepEqual(
    main.map((p) => p.variant),
    expected.map((v) => `debian-13-${v.split('.').slice(0, 2).join('.')}_opam-2.5`),
  );
  // The offline fallback is what the snapshot (CID_OPAM_REPO_COMMIT's default) has.
  assert.deepEqual([...BUILTIN_OCAML_RELEASES], expected, 'BUILTIN_OCAML_RELEASES must match the pinned opam-repository');
});

test("opam-dune-lint's OCaml bound in the snapshot is the rule (lint-opam) uses", async (t) => {
  const dir = await opamSnapshotDir(t);
  if (!dir) return;
  const releases = readdirSync(join(dir, 'packages/opam-dune-lint'));
  assert.ok(releases.length > 0);
  for (const r of releases) {
    const text: string = readFileSync(join(dir, 'packages/opam-dune-lint', r, 'opam'), 'utf8');
    const bound: string | undefined = /"ocaml"\s*\{\s*>=\s*"([^"]+)"\s*\}/.exec(text)?.[1];
    assert.ok(bound !== undefined, `${r}: a plain lower bound on ocaml`);
    const [maj, min] = bound.split('.').map(Number);
    const below = `${maj}.${min! - 1}.99`;
    assert.equal(canInstallOpamDuneLint(bound), true, `${r} installs on ${bound}`);
    assert.equal(canInstallOpamDuneLint(below), false, `${r} does not install on ${below}`);
  }
});

test('bumping the opam-repository commit brings a new release in; pre-releases do not count', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const base = readFileSync(join(repo.path, 'packages/ocaml-base-compiler/ocaml-base-compiler.5.5.0/opam'), 'utf8');
  repo.branch('bump', pinned);
  for (const v of ['5.6.0', '5.6.1~rc1', '5.7.0~alpha1']) repo.write(`packages/ocaml-base-compiler/ocaml-base-compiler.${v}/opam`, base);
  const bumped = repo.commit('OCaml 5.6.0, and pre-releases of 5.6.1 and 5.7.0');
  repo.git('checkout', '-q', 'master');
  const dir = workDir();
  const after = await ocamlReleasesAt(bumped, { url: url(), workDir: dir });
  assert.deepEqual(after.releases.slice(0, 2), ['5.6.0', '5.5.0']);
  const earlier = await ocamlReleasesAt(pinned, { url: url(), workDir: dir });
  assert.equal(earlier.releases[0], '5.5.0', 'the pinned commit keeps its own releases');
});

test('an unreadable opam-repository gives the built-in list, saying why', async () => {
  const missing = await ocamlReleasesAt('97014be61691efb695da5de8e860cba5d74fa1f5', { url: 'file:///nonexistent/opam-repository', workDir: workDir() });
  assert.deepEqual(missing.releases, BUILTIN_OCAML_RELEASES);
  assert.match(missing.source, /^cid's built-in list \(opam-repository 97014be\S* could not be read from file:\/\/\/nonexistent\/opam-repository: /);
  const off = await ocamlReleasesAt('97014be61691efb695da5de8e860cba5d74fa1f5', { url: 'none', workDir: workDir() });
  assert.equal(off.source, "cid's built-in list (CID_OPAM_REPO_URL=none)");
});

function analysisJob(sourcePath: string, opamRepoCommit: string): Job {
  const sha = '1111111111111111111111111111111111111111';
  return fixtureJob({ repo: 'ocaml/ocaml-lsp', sha, source: { kind: 'local', path: sourcePath, sha }, preset: 'all', opamRepoCommit });
}

test('(analysis): a root that needs the newest OCaml is built on it, with the releases of the pinned commit', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const src = mkdtempSync(join(tmpdir(), 'cid-lsp-'));
  cpSync(FIXTURE, src, { recursive: true });
  let log = '';
  const dir = workDir();
  const out = await runAnalysisJob(analysisJob(src, pinned), src, (l) => (log += l), undefined, (c) => ocamlReleasesAt(c, { url: url(), workDir: dir }));
  assert.equal(out.status, 'passed', log);
  assert.match(log, new RegExp(`OCaml releases from opam-repository ${pinned}: 5\\.5\\.0, 5\\.4\\.1, `));
  const result = AnalysisResultSchema.parse(out.output);
  const newest = result.jobs.find((j) => j.name === 'debian-13-5.5_opam-2.5');
  assert.ok(newest, `no debian-13-5.5 build: ${result.jobs.map((j) => j.name).join(', ')}`);
  const shells = newest.spec.steps.flatMap((s) => (s.op === 'run' ? [s.shell] : []));
  assert.ok(
    shells.some((s) => s.includes('ocaml-lsp-server.dev')),
    'the server is installed there',
  );
  assert.ok(!shells.some((s) => s.includes('--only-packages')), 'every root builds on 5.5');
  // On 5.4 only the libraries build: the server is left out there, not everywhere.
  const older = result.jobs.find((j) => j.name === 'debian-13-5.4_opam-2.5');
  assert.ok(older?.spec.steps.some((s) => s.op === 'run' && s.shell.includes('--only-packages=jsonrpc,lsp')));
  // Other distros and architectures get the newest release too.
  for (const name of ['fedora-44-5.5_opam-2.5', 'debian-13-5.5_arm64_opam-2.5']) assert.ok(result.jobs.some((j) => j.name === name), name);
});

test('(analysis) without an opam-repository to read uses the built-in list and says so', async (t) => {
  if (!(await opamSnapshotDir(t))) return;
  const src = mkdtempSync(join(tmpdir(), 'cid-lsp-'));
  cpSync(FIXTURE, src, { recursive: true });
  let log = '';
  const out = await runAnalysisJob(analysisJob(src, pinned), src, (l) => (log += l), undefined, (c) =>
    ocamlReleasesAt(c, { url: 'file:///nonexistent/opam-repository', workDir: workDir() }),
  );
  assert.equal(out.status, 'passed', log);
  assert.match(log, /OCaml releases from cid's built-in list \(opam-repository [0-9a-f]{40} could not be read from file:\/\/\/nonexistent\/opam-repository: .*\): 5\.5\.0, /);
  assert.ok(AnalysisResultSchema.parse(out.output).jobs.some((j) => j.name === 'debian-13-5.5_opam-2.5'));
});
