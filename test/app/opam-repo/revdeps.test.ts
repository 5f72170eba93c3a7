import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RevdepsIndex } from '../../../app/opam-repo/index.ts';
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
  test('dune and lwt: plausible revdeps, found quickly once the index is built', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const index = RevdepsIndex.build(listOpamFiles(dir).map((f) => ({ pkg: basename(dirname(f)), text: readFileSync(f, 'utf8') })));
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
