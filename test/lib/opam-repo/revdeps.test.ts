import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RevdepsIndex } from '../../../lib/opam-repo/index.ts';
import { listOpamFiles, opamSnapshotDir } from '../../support/opam-snapshot.ts';
import { MINI, readTree, releasesOf } from './support.ts';

describe('RevdepsIndex on the mini repository', () => {
  const index = RevdepsIndex.build(releasesOf(readTree(MINI)));
  const revdeps = (pkg: string, exclude?: string[]) => index.revdeps(pkg, exclude ? { exclude: new Set(exclude) } : {});

  test('direct (depends, depopts, with-test), transitive through mandatory depends, {= version} resolved', () => {
    assert.deepEqual(
      revdeps('base-a.2.0').map((r) => [r.pkg, r.direct]),
      [
        ['choice.1.0', true],
        ['mid.1.0', true],
        ['opt.1.0', true],
        ['tester.1.0', true],
        ['top.1.0', false],
        ['versioned.2.0', true],
      ],
    );
  });

  test('what is left out: constraints the version fails, no OCaml in common, conflicts, unavailable, dev-setup only, alternatives', () => {
    const found = new Set(revdeps('base-a.2.0').map((r) => r.pkg));
    for (const pkg of ['mid.0.9', 'versioned.1.0', 'old.1.0', 'conflicting.1.0', 'gone.1.0', 'devonly.1.0', 'choice-user.1.0']) {
      assert.ok(!found.has(pkg), `${pkg} is not a revdep of base-a.2.0`);
    }
  });

  test('the older version has other revdeps; releases of the PR are excluded but still lead on', () => {
    // conflicting.1.0 needs mid, whose 0.9 takes base-a < 2.0: it conflicts only with base-a >= 2.0.
    assert.deepEqual(
      revdeps('base-a.1.0').map((r) => [r.pkg, r.direct]),
      [
        ['choice.1.0', true],
        ['conflicting.1.0', false],
        ['mid.0.9', true],
        ['old.1.0', true],
        ['opt.1.0', true],
        ['tester.1.0', true],
        ['versioned.1.0', true],
      ],
    );
    assert.deepEqual(
      revdeps('base-a.2.0', ['mid.1.0']).map((r) => r.pkg),
      ['choice.1.0', 'opt.1.0', 'tester.1.0', 'top.1.0', 'versioned.2.0'],
    );
  });

  test('a release that is not in the repository (yet) is judged by its version alone', () => {
    assert.deepEqual(revdeps('mid.3.0').map((r) => r.pkg), ['conflicting.1.0', 'top.1.0']);
    assert.deepEqual(revdeps('nothing.1.0'), []);
    assert.deepEqual(revdeps('not-a-release'), []);
  });

  test('unparsable files are reported and take no part', () => {
    const i = RevdepsIndex.build([{ pkg: 'bad.1.0', text: 'depends: [' }, { pkg: 'ok.1.0', text: 'depends: ["bad"]' }]);
    assert.equal(i.size, 1);
    assert.match(i.unreadable[0] ?? '', /^bad\.1\.0: /);
  });
});

describe('RevdepsIndex on the whole snapshot', () => {
  // Built once for the file: reading 18,793 files takes seconds.
  let whole: RevdepsIndex | undefined;
  const snapshotIndex = (dir: string): RevdepsIndex =>
    (whole ??= RevdepsIndex.build(listOpamFiles(dir).map((f) => ({ pkg: basename(dirname(f)), text: readFileSync(f, 'utf8') }))));
  const directOf = (index: RevdepsIndex, pkg: string): string[] =>
    index
      .revdeps(pkg)
      .filter((r) => r.direct)
      .map((r) => r.pkg)
      .sort();

  // Expected sets from Debian's opam 2.1.2 with the snapshot as its only repository:
  //   OPAMROOT=$(mktemp -d) opam init --bare -n --disable-sandboxing snap <unpacked snapshot>
  //   opam list --depends-on PKG --all-versions -A -s --with-test --depopts
  // (-A: every release, as cid keeps all but `available: false`; --with-test --depopts: cid's direct revdeps.)

  test('a {post} dependency is no edge (opam list leaves post dependencies out): conf-m4, cryptokit, elpi', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const index = snapshotIndex(dir);
    // cryptoverif >= 2.03pl1 depends on ocamlfind, cryptokit and conf-m4 {post}; 2.02 without `post`.
    const confM4 =
      'bap-std.2.4.0 bap-std.2.5.0 caper.0.9 cfstream.1.3.1 cfstream.1.3.2 comby.1.2.2 comby.1.3.0 comby.1.4.0 comby.1.4.1 comby.1.7.0 ' +
      'cryptoverif.2.02 GT.0.3.0 GT.0.4.0 GT.0.4.1 GT.0.4.2 GT.0.5.0 GT.0.5.1 GT.0.5.2 GT.0.5.3 GT.0.5.4 GT.0.5.5 gmp.6.2.1 gmp.6.2.1-1 ' +
      'gmp.6.2.1-2 gmp.6.2.1-3 gmp.6.2.1-4 gmp.6.2.1-5 gmp.6.3.0 gmp.6.3.0-1 lutin.2.56 lutin.2.70.4 lutin.2.71.10 lutin.2.71.15 ' +
      'mlcuddidl.3.0.6 mlcuddidl.3.0.7 mlcuddidl.3.0.8 mldonkey.3.2.1 not-ocamlfind.0.14 not-ocamlfind.0.15 ocamlfind.1.8.1 ' +
      'opam-monorepo.0.1.0 polka.2.71.10 polka.2.71.15';
    assert.deepEqual(directOf(index, 'conf-m4.1'), confM4.split(' ').sort());
    const cryptokit = directOf(index, 'cryptokit.1.21.1').filter((p) => p.startsWith('cryptoverif.'));
    assert.deepEqual(cryptokit, ['cryptoverif.2.02']);
    // elpi-option-legacy-parser.1 depends on "elpi" {post & >= "1.15.2"}: opam lists nothing.
    assert.deepEqual(
      index.revdeps('elpi.1.16.10').map((r) => r.pkg),
      [],
    );
  });

  test('opam-version filters in depends are judged with the revdep jobs\' opam, not dropped', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    // The compilers' "ocaml-beta" {opam-version < "2.1.0"}: no edge with any opam cid runs (opam lists nothing).
    assert.deepEqual(snapshotIndex(dir).revdeps('ocaml-beta.disabled').map((r) => r.pkg), []);
    // opam-test.0.1.0: "opam-client" {opam-version >= "2.1" & opam-version < "2.2" & …}. The
    // oracle (opam 2.1.2) lists it; with cid's default opam (2.5) it is no revdep. A smaller
    // index (the packages concerned) keeps this quick.
    const names = new Set(['opam-client', 'opam-0install', 'opam-build', 'opam-check-npm-deps', 'opam-custom-install', 'opam-devel', 'opam-test']);
    const releases = listOpamFiles(dir)
      .filter((f) => names.has(basename(dirname(dirname(f)))))
      .map((f) => ({ pkg: basename(dirname(f)), text: readFileSync(f, 'utf8') }));
    const oracle =
      'opam-0install.0.1 opam-0install.0.2 opam-0install.0.3 opam-0install.0.4 opam-0install.0.4.1 opam-0install.0.4.2 opam-0install.0.4.3 ' +
      'opam-0install.0.4.4 opam-build.0.1.0 opam-check-npm-deps.1.0.0 opam-custom-install.0.2 opam-custom-install.0.3 opam-devel.2.1.6 opam-test.0.1.0';
    assert.deepEqual(directOf(RevdepsIndex.build(releases, { opamVersion: '2.1.2' }), 'opam-client.2.1.6'), oracle.split(' ').sort());
    assert.deepEqual(
      directOf(RevdepsIndex.build(releases), 'opam-client.2.1.6'),
      oracle.split(' ').filter((p) => p !== 'opam-test.0.1.0').sort(),
    );
  });

  test('dune and lwt: plausible revdeps, found quickly once the index is built', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const index = snapshotIndex(dir);
    assert.equal(index.size, 18_793);
    assert.deepEqual(index.unreadable, []);
    const t0 = performance.now();
    const lwt = index.revdeps('lwt.5.9.1');
    const dune = index.revdeps('dune.3.20.2');
    const ms = performance.now() - t0;
    const names = (rs: typeof lwt) => new Set(rs.map((r) => r.name));
    // Known direct users of lwt, and one only through others (lwt_ppx → lwt; ocsigen-toolkit needs js_of_ocaml-lwt).
    for (const n of ['lwt_ppx', 'lwt_react', 'cohttp-lwt', 'irmin']) assert.ok(names(lwt).has(n), `${n} uses lwt`);
    assert.ok(lwt.some((r) => !r.direct), 'some revdeps are transitive');
    assert.ok(!names(lwt).has('dune') && !names(lwt).has('ocaml'), 'the walk does not run through the compiler or dune');
    assert.ok(names(dune).size > 3000, `dune is used by most packages (${names(dune).size})`);
    for (const r of dune) assert.notEqual(r.name, 'dune');
    // Generous: the goal is < 1 s (bench/opam-revdeps.ts); a loaded CI machine is slower.
    assert.ok(ms < 10_000, `revdeps of lwt and dune took ${Math.round(ms)} ms`);
  });
});
