import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { changedPackages, classifyChange, effectiveKey, hasTests, parseOpam } from '../../../lib/opam-repo/index.ts';
import type { TouchedPackage } from '../../../lib/opam-repo/index.ts';

describe('changedPackages', () => {
  test('opam files and files/ count; other paths under packages/ are errors; the rest is ignored', () => {
    const r = changedPackages([
      'README.md',
      '.github/workflows/ci.yml',
      'packages/fmt/fmt.0.10.0/opam',
      'packages/fmt/fmt.0.10.0/files/fix.patch',
      'packages/fmt/fmt.0.10.0/files/sub/other.patch',
      'packages/lwt/lwt.5.9.2/opam',
      'packages/lwt/lwt.5.9.2/notes.txt',
      'packages/fmt/README.md',
      'packages/stray',
      'packages/fmt/lwt.1.0/opam',
      'packages/a.b/a.b.1/opam',
      'packages/fmt/fmt.0.10.0/files/',
    ]);
    assert.deepEqual(r.packages, [
      { pkg: 'fmt.0.10.0', name: 'fmt', version: '0.10.0', opam: true, files: ['packages/fmt/fmt.0.10.0/files/fix.patch', 'packages/fmt/fmt.0.10.0/files/sub/other.patch'], others: ['packages/fmt/fmt.0.10.0/files/'] },
      { pkg: 'lwt.5.9.2', name: 'lwt', version: '5.9.2', opam: true, files: [], others: ['packages/lwt/lwt.5.9.2/notes.txt'] },
    ]);
    assert.deepEqual(r.errors, [
      `Unexpected path "packages/fmt/README.md" in output (expecting 'packages/pkg/pkg.ver/...')`,
      `Unexpected path "packages/stray" in output (expecting 'packages/pkg/pkg.ver/...')`,
      `Unexpected path "packages/fmt/lwt.1.0/opam" in output (expecting 'packages/pkg/pkg.ver/...')`,
      `Unexpected path "packages/a.b/a.b.1/opam" in output (expecting 'packages/pkg/pkg.ver/...')`,
    ]);
  });
});

const OPAM = `opam-version: "2.0"
maintainer: "me@example.org"
synopsis: "A thing"
depends: [
  "ocaml" {>= "4.08"}
  "dune" {>= "3.0"}
]
build: ["dune" "build" "-p" name "-j" jobs]
url {
  src: "https://example.org/a-1.0.tbz"
  checksum: "sha256=0000000000000000000000000000000000000000000000000000000000000000"
  mirrors: "https://mirror.example.org/a-1.0.tbz"
}
`;

const touched = (over: Partial<TouchedPackage> = {}): TouchedPackage => ({ pkg: 'a.1.0', name: 'a', version: '1.0', opam: true, files: [], others: [], ...over });

describe('classifyChange', () => {
  test('new package, new release, deleted, unavailable', () => {
    assert.deepEqual(classifyChange({ touched: touched(), mergedText: OPAM, nameInBase: false }), { change: 'new-package', hasTests: false });
    assert.deepEqual(classifyChange({ touched: touched(), mergedText: OPAM, nameInBase: true }), { change: 'new-release', hasTests: false });
    assert.deepEqual(classifyChange({ touched: touched(), baseText: OPAM, nameInBase: true }), { change: 'deleted', hasTests: false });
    assert.deepEqual(classifyChange({ touched: touched(), baseText: OPAM, mergedText: `${OPAM}available: false\n`, nameInBase: true }), {
      change: 'unavailable',
      hasTests: false,
    });
    assert.deepEqual(classifyChange({ touched: touched({ opam: false, files: ['packages/a/a.1.0/files/x'] }), nameInBase: true }), {
      error: 'a.1.0: files changed but the release has no opam file',
    });
  });

  test('metadata, comments, layout and mirrors are insignificant', () => {
    const edited = OPAM.replace('maintainer: "me@example.org"', 'maintainer: "you@example.org"\nhomepage: "https://example.org"\ntags: ["x"]')
      .replace('synopsis: "A thing"', 'synopsis: "A better thing"\ndescription: "Longer"')
      .replace('mirrors: "https://mirror.example.org/a-1.0.tbz"', '')
      .replace('"ocaml" {>= "4.08"}', '# a comment\n    "ocaml"   {>= "4.08"}')
      .concat('post-messages: ["Thanks"]\nx-maintenance-intent: ["(latest)"]\nflags: [avoid-version]\n');
    assert.deepEqual(classifyChange({ touched: touched(), baseText: OPAM, mergedText: edited, nameInBase: true }), { change: 'insignificantly-changed', hasTests: false });
  });

  test('dependencies, builds, the archive, x-ci-* fields, depexts and files/ are significant', () => {
    const variants = [
      OPAM.replace('"dune" {>= "3.0"}', '"dune" {>= "3.1"}'),
      OPAM.replace('"-j" jobs', '"-j" "1"'),
      OPAM.replace('sha256=0000', 'sha256=1111'),
      OPAM.replace('a-1.0.tbz"\n  checksum', 'a-1.0.tar.gz"\n  checksum'),
      `${OPAM}x-ci-accept-failures: ["debian-13"]\n`,
      `${OPAM}depexts: [["libgmp-dev"] {os-family = "debian"}]\n`,
      `${OPAM}available: os != "win32"\n`,
      `${OPAM}flags: [light-uninstall]\nextra-source "fix.patch" { src: "https://example.org/p" checksum: "sha256=00" }\n`,
    ];
    for (const v of variants) {
      assert.equal((classifyChange({ touched: touched(), baseText: OPAM, mergedText: v, nameInBase: true }) as { change: string }).change, 'significantly-changed', v);
    }
    assert.deepEqual(classifyChange({ touched: touched({ files: ['packages/a/a.1.0/files/fix.patch'] }), baseText: OPAM, mergedText: OPAM, nameInBase: true }), {
      change: 'significantly-changed',
      hasTests: false,
    });
  });

  test('has tests: run-test, or a with-test filter anywhere', () => {
    const parsed = (t: string) => {
      const p = parseOpam(t, 'opam');
      assert.ok(p.ok);
      return p.file;
    };
    assert.equal(hasTests(parsed(OPAM)), false);
    assert.equal(hasTests(parsed(`${OPAM}run-test: [["dune" "runtest"]]\n`)), true);
    assert.equal(hasTests(parsed(OPAM.replace('"dune" {>= "3.0"}', '"dune" {>= "3.0"}\n  "alcotest" {with-test}'))), true);
    assert.equal(hasTests(parsed(OPAM.replace('"-j" jobs]', '"-j" jobs "@runtest" {with-test}]'))), true, 'a filter on an argument counts too');
    assert.equal(hasTests(parsed(OPAM.replace('"-j" jobs]', '"-j" jobs "@doc" {with-doc}]'))), false);
    assert.equal(hasTests(parsed(OPAM.replace('build: ["dune" "build" "-p" name "-j" jobs]', 'build: [["dune" "build"] ["dune" "runtest"] {with-test}]'))), true);
    assert.equal(hasTests(parsed(`${OPAM}run-test: []\n`)), false);
  });

  test('an unparsable opam file is built, and equal texts are insignificant', () => {
    assert.deepEqual(classifyChange({ touched: touched(), baseText: OPAM, mergedText: 'depends: [', nameInBase: true }), { change: 'significantly-changed', hasTests: false });
    assert.deepEqual(classifyChange({ touched: touched({ others: ['packages/a/a.1.0/x'] }), baseText: OPAM, mergedText: OPAM, nameInBase: true }), {
      change: 'insignificantly-changed',
      hasTests: false,
    });
    const p = parseOpam(OPAM, 'opam');
    assert.ok(p.ok);
    assert.match(effectiveKey(p.file), /depends=\["ocaml" \{>= "4\.08"\} "dune" \{>= "3\.0"\}\]/);
  });
});
