import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readOpamFacts } from '../../../lib/analysis/opam-adapter.ts';
import { AnalysisError } from '../../../lib/analysis/errors.ts';
import { opamFile } from './support.ts';

const linux = (ocaml: string, extra: Record<string, string | boolean> = {}) => ({
  os: 'linux',
  arch: 'x86_64',
  'os-distribution': 'debian',
  'os-family': 'debian',
  'ocaml:version': ocaml,
  'with-test': true,
  build: true,
  ...extra,
});

describe('readOpamFacts', () => {
  it('reads opam-version and x-opam-monorepo-version', () => {
    const f = readOpamFacts('opam-version: "2.0"\nx-opam-monorepo-version: "0.3"\n', 'x.opam');
    assert.equal(f.opamVersion, '2.0');
    assert.equal(f.monorepoVersion, '0.3');
    assert.equal(readOpamFacts('name: "x"\n', 'x.opam').opamVersion, undefined);
  });

  it('judges the ocaml constraint of depends', () => {
    const f = readOpamFacts(opamFile({ depends: '"ocaml" {>= "5.0"} "dune" {>= "3.0"}' }), 'x.opam');
    assert.equal(f.whyNotInstallable(linux('5.4.1')), undefined);
    assert.equal(f.whyNotInstallable(linux('4.14.3')), 'ocaml >= 5.0 required');
  });

  it('ignores ocaml constraints under a false filter and applies them under a true one', () => {
    const f = readOpamFacts(opamFile({ depends: '"ocaml" {with-doc & >= "5.0"} "ocaml" {< "5.3" & with-test}' }), 'x.opam');
    assert.equal(f.whyNotInstallable(linux('4.14.3', { 'with-doc': false })), undefined);
    assert.equal(f.whyNotInstallable(linux('5.3.0')), 'ocaml < 5.3 required');
  });

  it('checks ocaml-base-compiler like ocaml', () => {
    const f = readOpamFacts(opamFile({ depends: '"ocaml-base-compiler" {< "5.0"}' }), 'x.opam');
    assert.equal(f.whyNotInstallable(linux('5.0.0')), 'ocaml-base-compiler < 5.0 required');
  });

  it('judges available against platform variables', () => {
    const f = readOpamFacts(opamFile({ available: 'arch != "ppc64" & os-distribution != "alpine"' }), 'x.opam');
    assert.equal(f.whyNotInstallable(linux('5.4.1')), undefined);
    assert.equal(f.whyNotInstallable(linux('5.4.1', { arch: 'ppc64' })), 'not available here (available: arch != "ppc64" & os-distribution != "alpine")');
    assert.match(f.whyNotInstallable(linux('5.4.1', { 'os-distribution': 'alpine' })) ?? '', /^not available here/);
  });

  it('treats an available filter on unknown variables as available (the build decides)', () => {
    const f = readOpamFacts(opamFile({ available: 'something-unknown = "yes"' }), 'x.opam');
    assert.equal(f.whyNotInstallable(linux('5.4.1')), undefined);
  });

  it('drops on conflicts with the OCaml release', () => {
    const f = readOpamFacts(opamFile({ extra: 'conflicts: [ "ocaml" {>= "5.3"} "other" ]' }), 'x.opam');
    assert.equal(f.whyNotInstallable(linux('5.2.1')), undefined);
    assert.equal(f.whyNotInstallable(linux('5.3.0')), 'conflicts with ocaml >= 5.3');
  });

  it('finds versions fixed with {= "v"}', () => {
    const f = readOpamFacts(opamFile({ depends: '"ocaml" {= "4.14.1"} "dune" {= "3.10.0" & build} "fmt" {>= "0.9"}' }), 'x.locked');
    assert.equal(f.exactDependency('ocaml'), '4.14.1');
    assert.equal(f.exactDependency('dune'), '3.10.0');
    assert.equal(f.exactDependency('fmt'), undefined);
    assert.equal(f.exactDependency('absent'), undefined);
  });

  it('reads pin-depends as one pair or a list of pairs', () => {
    assert.deepEqual(readOpamFacts(opamFile({ extra: 'pin-depends: ["a.1" "git+https://x/a"]' }), 'x.opam').pinDepends, [
      { pkg: 'a.1', url: 'git+https://x/a' },
    ]);
    assert.deepEqual(
      readOpamFacts(opamFile({ extra: 'pin-depends: [["a.1" "u1"] ["b.2" "u2"]]' }), 'x.opam').pinDepends.map((p) => p.pkg),
      ['a.1', 'b.2'],
    );
  });

  it('turns badly shaped fields into AnalysisErrors with a position', () => {
    assert.throws(
      () => readOpamFacts('opam-version: "2.0"\ndepends: [ 42 ]\n', 'x.opam'),
      (err: unknown) => err instanceof AnalysisError && err.line === 2 && /^Invalid opam file x\.opam:2:\d+: /.test(err.message),
    );
  });
});
