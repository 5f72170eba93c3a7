// The analysis with a solver (issue #14): each platform's roots are solved against the
// opam-repository snapshot, with their pins and test dependencies. A solution is the exact
// package set of the build ($DEPS, so the step-cache key); no solution drops the platform with
// the solver's explanation, and none left fails the analysis with ocaml-ci's wording.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { PlannedJob, Step } from '../../../lib/contract/index.ts';
import { analyze } from '../../../lib/analysis/analyze.ts';
import { AnalysisError } from '../../../lib/analysis/errors.ts';
import { Universe } from '../../../lib/opam/solver/index.ts';
import { hashedStep, stepKey } from '../../../runner/docker/cache-key.ts';
import { ensureOpamSnapshot, opamSnapshotDir } from '../../support/opam-snapshot.ts';
import { COMMIT, memoryRepo, opamFile, platforms } from './support.ts';

let universe: Universe | undefined;
before(async () => {
  const snap = await ensureOpamSnapshot();
  if (snap.ok) universe = Universe.fromDirectory(snap.dir);
});

/** The snapshot's universe, or undefined when the test is skipped (fails instead when CI=true). */
async function snapshotUniverse(t: TestContext): Promise<Universe | undefined> {
  if (!(await opamSnapshotDir(t))) return undefined;
  return universe;
}

const debian = (ocamlVersion: string, lowerBound = false) => ({ distro: 'debian-13', ocamlVersion, ...(lowerBound ? { lowerBound } : {}) });

async function run(u: Universe, contents: Record<string, string>, ps = platforms(debian('5.3.0'), debian('4.14.2'))) {
  const repo = memoryRepo({ 'dune-project': '(lang dune 3.0)', ...contents });
  const log: string[] = [];
  const result = await analyze({ files: repo.files, readFile: repo.readFile, platforms: ps, opamRepoCommit: COMMIT, universe: u, lint: false, log: (l) => log.push(l) });
  return { result, log };
}

/** The value of `ENV DEPS` in a job's spec. */
function depsOf(j: PlannedJob | undefined): string[] {
  const step = j?.spec.steps.find((s): s is Extract<Step, { op: 'env' }> => s.op === 'env' && s.name === 'DEPS');
  assert.ok(step, `no DEPS in ${j?.name}`);
  return step.value.split(' ').filter((s) => s !== '');
}

/** Each step's cache key, chained from the base image as the runner's executor does (copies get a fixed manifest). */
function stepKeys(j: PlannedJob): string[] {
  let parent = `image:${j.spec.from}`;
  return j.spec.steps.map((s) => (parent = stepKey(parent, hashedStep(s, s.op === 'copy' ? { manifest: [], uid: 1000, gid: 1000 } : undefined))));
}

const build = (jobs: PlannedJob[], variant: string) => jobs.find((j) => j.name === variant);

describe('analysis with the solver', () => {
  it('drops a platform where a dependency cannot install, with the solver explanation as the reason', async (t) => {
    const u = await snapshotUniverse(t);
    if (!u) return;
    // eio needs OCaml 5: nothing in a.opam says so, the solver finds it.
    const { result, log } = await run(u, { 'a.opam': opamFile({ depends: '"dune" "eio"' }) });
    assert.deepEqual(result.jobs.map((j) => j.name), ['debian-13-5.3_opam-2.5']);
    assert.equal(result.dropped.length, 1);
    const d = result.dropped[0]!;
    assert.equal(d.variant, 'debian-13-4.14_opam-2.5');
    assert.match(d.reason, /you asked for ocaml\.4\.14\.2/);
    assert.match(d.reason, /a\.dev requires eio/);
    assert.match(d.reason, /eio \(versions [^)]*\) require ocaml \{>= "5\.\d\.0"\}/);
    assert.ok(log.includes(`Dropped debian-13-4.14_opam-2.5: ${d.reason}`));
    const deps = depsOf(build(result.jobs, 'debian-13-5.3_opam-2.5'));
    assert.ok(deps.includes('ocaml.5.3.0') && deps.some((p) => p.startsWith('eio.')), deps.join(' '));
  });

  it('fails the analysis with "No solution found for any supported platform" when no platform is left', async (t) => {
    const u = await snapshotUniverse(t);
    if (!u) return;
    await assert.rejects(
      run(u, { 'a.opam': opamFile({ depends: '"eio"' }) }, platforms(debian('4.14.2'), { distro: 'ubuntu-24.04', ocamlVersion: '4.14.2' })),
      (e: unknown) =>
        e instanceof AnalysisError &&
        e.message.startsWith('No solution found for any supported platform:\ndebian-13-4.14_opam-2.5: you asked for') &&
        /ubuntu-24\.04-4\.14_opam-2\.5: .*a\.dev requires eio/.test(e.message),
    );
  });

  it('puts the exact set in $DEPS (test dependencies and pinned packages included), and a new version at the pinned commit changes the cache key', async (t) => {
    const u = await snapshotUniverse(t);
    if (!u) return;
    const contents = {
      'a.opam': opamFile({ depends: '"dune" "fmt" "b" "alcotest" {with-test}' }),
      'vendor/b/b.opam': opamFile({ depends: '"dune"' }),
    };
    const variant = 'debian-13-5.3_opam-2.5';
    const before = build((await run(u, contents, platforms(debian('5.3.0')))).result.jobs, variant)!;
    const deps = depsOf(before);
    assert.ok(deps.includes('fmt.0.11.0'), deps.join(' '));
    assert.ok(deps.includes('b.dev') && deps.some((p) => p.startsWith('alcotest.')), deps.join(' '));
    assert.ok(!deps.includes('a.dev'), 'the roots are installed by the build, not in $DEPS');
    const install = before.spec.steps.findIndex((s) => s.op === 'run' && s.shell === 'opam install $DEPS');
    assert.ok(install > 0);

    // The same commit but for fmt 0.11.0, as if the pinned commit were one before its release.
    const older = u.withPinned([]);
    older.byName.set('fmt', u.byName.get('fmt')!.filter((r) => r.version !== '0.11.0'));
    const after = build((await run(older, contents, platforms(debian('5.3.0')))).result.jobs, variant)!;
    assert.ok(depsOf(after).includes('fmt.0.10.0'));
    const [k1, k2] = [stepKeys(before), stepKeys(after)];
    const depsEnv = before.spec.steps.findIndex((s) => s.op === 'env' && s.name === 'DEPS');
    assert.deepEqual(k1.slice(0, depsEnv), k2.slice(0, depsEnv), 'the steps before the dependencies stay cached');
    assert.notEqual(k1[install], k2[install]);
  });

  it('solves (lower-bound) for the oldest versions the opam files allow', async (t) => {
    const u = await snapshotUniverse(t);
    if (!u) return;
    const ps = platforms(debian('5.3.0', true), debian('5.4.1', true));
    const { result } = await run(u, { 'a.opam': opamFile({ depends: '"dune" "fmt" {>= "0.9.0"}' }) }, ps);
    const lower = build(result.jobs, '(lower-bound)');
    assert.ok(depsOf(lower).includes('fmt.0.9.0'), depsOf(lower).join(' '));
    assert.ok(depsOf(build(result.jobs, 'debian-13-5.3_opam-2.5')).includes('fmt.0.11.0'));
    // The exact set needs no solver preferences at build time.
    assert.ok(!lower!.spec.steps.some((s) => s.op === 'env' && s.name === 'OPAMCRITERIA'));
  });
});
