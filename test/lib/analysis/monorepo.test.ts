import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../lib/analysis/analyze.ts';
import { AnalysisError } from '../../../lib/analysis/errors.ts';
import { presetPlatforms } from '../../../lib/analysis/platforms.ts';
import { COMMIT, memoryRepo, opamFile, platforms } from './support.ts';

const lock = (version: string, ocaml = '4.14.4') =>
  opamFile({ extra: `x-opam-monorepo-version: "${version}"`, depends: `"ocaml" {= "${ocaml}"} "dune" {= "3.16.0"} "fmt" {= "0.9.0"}` });

const run = (contents: Record<string, string>, ps = presetPlatforms('all')) => {
  const repo = memoryRepo({ 'dune-project': '(lang dune 3.0)', 'app.opam': opamFile(), ...contents });
  return analyze({ ...repo, platforms: ps, opamRepoCommit: COMMIT });
};
const shells = (steps: ReadonlyArray<{ op: string; shell?: string }>) => steps.flatMap((s) => (s.op === 'run' && s.shell ? [s.shell] : []));

describe('opam-monorepo mode', () => {
  it('builds the lock file once, on the main distro with the locked OCaml', async () => {
    const r = await run({ 'app.opam.locked': lock('0.3') });
    assert.equal(r.info.monorepo, true);
    assert.deepEqual(
      r.jobs.map((j) => j.name),
      ['debian-13-4.14_opam-2.5'],
    );
    const sh = shells(r.jobs[0]?.spec.steps ?? []);
    assert.ok(sh.includes(`opam install --cli=2.5 -y dune=3.16.0 'opam-monorepo>=0.3.0' 'opam-monorepo<0.4.0'`), sh.join('\n'));
    assert.ok(sh.includes('opam monorepo depext --yes --lock ./app.opam.locked'));
    assert.ok(sh.includes('opam install --yes --ignore-pin-depends --deps-only ./app.opam.locked'));
    assert.deepEqual(sh.slice(-2), ['opam exec -- dune build @install', 'opam exec -- dune runtest']);
    assert.ok(!sh.some((s) => s.startsWith('opam switch create')), 'the image has the locked compiler');
  });

  it('creates a switch when no image has the locked compiler', async () => {
    const r = await run({ 'app.opam.locked': lock('0.2', '4.14.1') });
    const sh = shells(r.jobs[0]?.spec.steps ?? []);
    assert.ok(sh.includes('opam switch create ocaml-base-compiler.4.14.1'));
    assert.ok(!sh.some((s) => s.includes('--ignore-pin-depends')), 'lock format 0.2 has no opam-provided packages');
    assert.ok(sh.some((s) => s.includes(`'opam-monorepo>=0.2.6' 'opam-monorepo<0.3.0'`)));
  });

  it('names jobs after their lock files when there are several, and adds (lint-fmt)', async () => {
    const r = await run({ 'a.opam.locked': lock('0.3'), 'b.opam.locked': lock('0.3', '5.4.1'), '.ocamlformat': 'version=0.27.0' });
    assert.deepEqual(
      r.jobs.map((j) => [j.name, j.spec.from]),
      [
        ['(lint-fmt)', 'ocaml/opam:debian-13-ocaml-4.14'],
        ['a.opam.locked', 'ocaml/opam:debian-13-ocaml-4.14'],
        ['b.opam.locked', 'ocaml/opam:debian-13-ocaml-5.4'],
      ],
    );
  });

  it('rejects old and unknown lock file versions, and locks without ocaml', async () => {
    await assert.rejects(run({ 'app.opam.locked': lock('0.1') }), (e: unknown) => e instanceof AnalysisError && /lockfile version 0\.1 is not supported anymore/.test(e.message));
    await assert.rejects(run({ 'app.opam.locked': lock('9.9') }), /unknown x-opam-monorepo-version "9\.9"/);
    const noOcaml = opamFile({ extra: 'x-opam-monorepo-version: "0.3"', depends: '"dune" {= "3.16.0"}' });
    await assert.rejects(run({ 'app.opam.locked': noOcaml }), /does not fix the version of "ocaml"/);
  });

  it('needs an x86_64 opam platform', async () => {
    await assert.rejects(
      run({ 'app.opam.locked': lock('0.3') }, platforms({ distro: 'debian-13', ocamlVersion: '5.4', arch: 'arm64' })),
      /opam-monorepo builds need an x86_64 platform with opam/,
    );
  });
});
