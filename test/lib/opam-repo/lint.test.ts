import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { presetPlatforms } from '../../../lib/analysis/index.ts';
import { analyzeChanges, lintRelease, PackageNames } from '../../../lib/opam-repo/index.ts';
import type { LintInput } from '../../../lib/opam-repo/index.ts';
import { listOpamFiles, opamSnapshotDir } from '../../support/opam-snapshot.ts';
import { memoryTree } from './support.ts';

const GOOD = `opam-version: "2.0"
synopsis: "Frobnicate things"
maintainer: "Jane <jane@example.org>"
authors: "Jane"
license: "MIT"
homepage: "https://example.org/frob"
bug-reports: "https://example.org/frob/issues"
dev-repo: "git+https://example.org/frob.git"
depends: ["ocaml" {>= "4.08"} "dune" {>= "3.0"}]
build: [["dune" "subst"] {dev} ["dune" "build" "-p" name "-j" jobs]]
url {
  src: "https://example.org/frob-1.0.tbz"
  checksum: ["md5=00000000000000000000000000000000" "sha512=${'0'.repeat(128)}"]
}
`;

/** A conf package as opam-repository wants it: prefix, flag and depexts, no source. */
const CONF = `opam-version: "2.0"
synopsis: "Virtual package relying on GMP"
maintainer: "Jane <jane@example.org>"
authors: "Jane"
license: "MIT"
homepage: "https://gmplib.org"
bug-reports: "https://example.org/issues"
build: [["pkg-config" "gmp"]]
depexts: [["libgmp-dev"] {os-family = "debian"}]
flags: conf
`;

type Opts = Partial<Omit<LintInput, 'text' | 'dirFiles'>> & { files?: Record<string, string> };
const lint = (text: string, opts: Opts = {}) => {
  const { files, ...rest } = opts;
  return lintRelease({ name: 'frob', version: '1.0', text, dirFiles: new Map(Object.entries(files ?? { opam: '100644' })), ...rest }).map((m) => m.message);
};

describe('lintRelease: opam-repository rules', () => {
  test('a well-formed release is clean; so is a well-formed conf package', () => {
    assert.deepEqual(lint(GOOD), []);
    assert.deepEqual(lint(CONF, { name: 'conf-gmp', version: '4' }), []);
  });

  test('levels: errors and warnings are prefixed as opam-ci-check prints them', () => {
    const msgs = lintRelease({ name: 'frob', version: '1.0', text: `${GOOD}name: "frob"\npin-depends: [["x.dev" "git+https://example.org/x"]]\n`, dirFiles: new Map([['opam', '100644']]) });
    assert.deepEqual(
      msgs.map((m) => [m.level, m.pkg, m.message.split(':')[0]]),
      [
        ['warning', 'frob.1.0', 'Warning in frob.1.0'],
        ['error', 'frob.1.0', 'Error in frob.1.0'],
      ],
    );
  });

  test('name and version must match the directory; written ones are unnecessary', () => {
    assert.deepEqual(lint(`${GOOD}name: "frob"\nversion: "1.0"\n`), [
      "Warning in frob.1.0: Unnecessary field 'name'. It is suggested to remove it.",
      "Warning in frob.1.0: Unnecessary field 'version'. It is suggested to remove it.",
    ]);
    assert.deepEqual(lint(`${GOOD}name: "frobber"\n`), [
      "Error in frob.1.0: The field 'name' that doesn't match its context. Field 'name' has value 'frobber' but was expected of value 'frob'.",
    ]);
    assert.deepEqual(lint(GOOD, { version: '2.0' }).length, 0, 'the version comes from the directory when not written');
  });

  test('checksums: the archive and each extra-source need one that is not only MD5; MD5 extra-files too', () => {
    assert.deepEqual(lint(GOOD.replace(/ {2}checksum: .*\n/, '')), [
      'Error in frob.1.0: Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: opam field url contains no checksum for frob-1.0.tbz',
    ]);
    assert.deepEqual(lint(GOOD.replace(/ "sha512=0+"/, '')), [
      'Error in frob.1.0: Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: opam field url contains only MD5 as checksum for frob-1.0.tbz',
    ]);
    // opam reads only md5, sha256 and sha512 (OpamHash): a SHA-1 is no weak checksum but an unreadable one.
    assert.deepEqual(lint(GOOD.replace(/"sha512=0+"/, `"sha1=${'0'.repeat(40)}"`)), [
      `Error in frob.1.0: Opam lint error  3: File format error in 'url.checksum' at line 13, column 52: invalid checksum "sha1=${'0'.repeat(40)}" (expected md5=, sha256= or sha512= followed by 32, 64 or 128 hex digits)`,
    ]);
    assert.deepEqual(lint(`${GOOD}extra-source "fix.patch" {\n  src: "https://example.org/patches/fix-1.patch"\n  checksum: "md5=00"\n}\n`), [
      'Error in frob.1.0: Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: opam field extra-sources contains only MD5 as checksum for fix-1.patch',
    ]);
    assert.deepEqual(lint(`${GOOD}extra-files: [["a.patch" "md5=${'0'.repeat(32)}"]]\n`), [
      'Error in frob.1.0: Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: opam field extra-files contains only MD5 as checksum for a.patch',
      'Error in frob.1.0: extra-files present. This is not allowed in the opam-repository. Please use extra-source instead.',
    ]);
  });

  test('pin-depends and extra-files are refused', () => {
    assert.deepEqual(lint(`${GOOD}pin-depends: [["x.dev" "git+https://example.org/x"]]\nextra-files: [["a.patch" "sha256=${'0'.repeat(64)}"]]\n`), [
      'Error in frob.1.0: pin-depends present. This is not allowed in the opam-repository.',
      'Error in frob.1.0: extra-files present. This is not allowed in the opam-repository. Please use extra-source instead.',
    ]);
  });

  test('someone to contact: an "@" among the maintainers or bug-reports', () => {
    const noEmail = GOOD.replace('maintainer: "Jane <jane@example.org>"', 'maintainer: ["Jane" "Joe"]');
    assert.deepEqual(lint(noEmail), [], 'bug-reports is enough');
    assert.deepEqual(lint(noEmail.replace(/bug-reports: .*\n/, '')), [
      "Error in frob.1.0: Opam lint warning 36: Missing field 'bug-reports'",
      "Error in frob.1.0: There is no way to contact the maintainer(s) 'Jane, Joe'. A package must either specify a url for 'bug-reports' or provide an email address in the 'maintainer' field.",
    ]);
    assert.deepEqual(lint(GOOD.replace('maintainer: "Jane <jane@example.org>"', 'maintainer: ["Jane" "joe@example"]').replace(/bug-reports: .*\n/, '')), [
      "Error in frob.1.0: Opam lint warning 36: Missing field 'bug-reports'",
    ]);
  });

  test('dune: a {build} dependency and dune subst outside exactly {dev} are warnings', () => {
    const build = "Warning in frob.1.0: The package tagged dune as a build dependency. Due to a bug in dune (https://github.com/ocaml/dune/issues/2147) this should never be the case. Please remove the {build} tag from its filter.";
    assert.deepEqual(lint(GOOD.replace('"dune" {>= "3.0"}', '"dune" {build & >= "3.0"}')), [build]);
    assert.deepEqual(lint(GOOD.replace('"dune" {>= "3.0"}', '"dune" {>= "3.0" | build}')), [build], 'anywhere in the constraint');
    assert.deepEqual(lint(GOOD.replace('"dune" {>= "3.0"}', '"dune" {!build}')), [], 'a negated build is not the tag');
    const subst = /^Warning in frob\.1\.0: Dubious use of 'dune subst'\. 'dune subst' should always only be called with \{dev\}/;
    assert.match(lint(GOOD.replace('["dune" "subst"] {dev}', '["dune" "subst"]')).join('\n'), subst);
    assert.match(lint(GOOD.replace('["dune" "subst"] {dev}', '["dune" "subst"] {dev & os = "linux"}')).join('\n'), subst, 'only {dev} itself');
    assert.deepEqual(lint(GOOD.replace('["dune" "subst"] {dev}', '["dune" "subst" "--root" "."]')), [], 'not the bare command: not checked');
  });

  test('conf packages: the conf- prefix, the conf flag and depexts go together', () => {
    const conf = (text: string, name = 'conf-gmp') => lint(text, { name, version: '4' });
    assert.deepEqual(conf(CONF.replace('flags: conf\n', '')), [
      "Error in conf-gmp.4: No package source directory provided.",
      "Error in conf-gmp.4: conf packages should always use the 'conf-' name prefix, the 'conf' flag, and the 'depext' field all together, but this package only has the 'conf-' name prefix and a non-empty 'depext' field",
    ]);
    assert.deepEqual(conf(CONF.replace(/depexts: .*\n/, '')), [
      "Error in conf-gmp.4: conf packages should always use the 'conf-' name prefix, the 'conf' flag, and the 'depext' field all together, but this package only has the 'conf' flag and the 'conf-' name prefix",
    ]);
    assert.deepEqual(lint(`${GOOD}depexts: [["libfrob-dev"] {os-family = "debian"}]\n`), [
      "Error in frob.1.0: conf packages should always use the 'conf-' name prefix, the 'conf' flag, and the 'depext' field all together, but this package only has a non-empty 'depext' field",
    ], 'depexts belong in a conf- package');
    assert.deepEqual(conf(`${CONF}install: [["touch" "x"]]\n`), ['Error in conf-gmp.4: Opam lint error 46: Package is flagged "conf" but has source, install or remove instructions']);
  });

  test('no url: nothing to download, unless it is a conf package', () => {
    assert.deepEqual(lint(GOOD.replace(/url \{[\s\S]*\}\n/, '').replace(/dev-repo: .*\n/, '')), ['Error in frob.1.0: No package source directory provided.']);
  });

  test('restricted prefixes need their conflict class, and the classes their prefix', () => {
    const sys = GOOD.replace(/url \{[\s\S]*\}\n/, '').replace(/dev-repo: .*\n/, '');
    const at = (name: string, extra = '') => lint(`${sys}${extra}`, { name, version: '1' }).filter((m) => !m.includes('No package source'));
    assert.deepEqual(at('system-frob'), ["Error in system-frob.1: package with prefix 'system-' requires conflict class 'ocaml-system'"]);
    assert.deepEqual(at('system-frob', 'conflict-class: "ocaml-system"\n'), []);
    assert.deepEqual(at('frob', 'conflict-class: ["ocaml-host-arch" "other"]\n'), ["Error in frob.1: package with conflict class 'ocaml-host-arch' requires name prefix 'host-arch-'"]);
    assert.deepEqual(at('ocaml-env-mingw64', 'conflict-class: "ocaml-env-mingw"\n'), [], 'ocaml-env-mingw has no dash after it');
    assert.deepEqual(at('msys2-clang64', 'conflict-class: "msys2-env"\n'), [], "msys2-, not opam-ci-check's misspelt mysys2-");
  });

  test('placeholder tags, in opam-ci-check order', () => {
    assert.deepEqual(lint(`${GOOD}tags: ["project" "org:frob" "topics"]\n`), ['Warning in frob.1.0: The package has not replaced the following default, example tags: topics, project']);
  });

  test('the release directory holds its opam file only, with mode 644', () => {
    assert.deepEqual(lint(GOOD, { files: { opam: '100755', 'files/fix.patch': '100644', 'files/sub/b.patch': '100644', url: '100644' } }), [
      'Error in frob.1.0: Unexpected file in packages/frob/frob.1.0/files',
      'Error in frob.1.0: Forbidden permission for file packages/frob/frob.1.0/opam. All files should have permissions 644.',
      'Error in frob.1.0: Unexpected file in packages/frob/frob.1.0/url',
    ]);
  });
});

describe('lintRelease: opam lint', () => {
  test("opam lint's findings are errors for opam-ci-check, numbered as opam numbers them", () => {
    assert.deepEqual(lint(GOOD.replace(/authors: .*\n/, '').replace(/homepage: .*\n/, '').replace(/dev-repo: .*\n/, '').replace(/license: .*\n/, '')), [
      "Error in frob.1.0: Opam lint warning 25: Missing field 'authors'",
      "Error in frob.1.0: Opam lint warning 35: Missing field 'homepage'",
      "Error in frob.1.0: Opam lint warning 37: Missing field 'dev-repo'",
      "Error in frob.1.0: Opam lint warning 68: Missing field 'license'",
    ]);
    assert.deepEqual(lint(GOOD.replace(/maintainer: .*\n/, '')), ["Error in frob.1.0: Opam lint error 23: Missing field 'maintainer'"], 'bug-reports is still a contact');
    assert.deepEqual(lint(GOOD.replace('authors: "Jane"', 'author: "Jane"')), [], "opam reads 'author' too");
  });

  test('synopsis, opam-version, empty fields, make, deprecated fields', () => {
    assert.deepEqual(lint(GOOD.replace('"Frobnicate things"', '"frobnicate things."')), ['Error in frob.1.0: Opam lint warning 47: Synopsis should start with a capital and not end with a dot']);
    assert.deepEqual(lint(GOOD.replace(/synopsis: .*\n/, '')), ['Error in frob.1.0: Opam lint error 57: Synopsis must not be empty']);
    assert.deepEqual(lint(`${GOOD.replace(/synopsis: .*\n/, '')}description: "Frobnicates."\n`), ['Error in frob.1.0: Opam lint error 57: Synopsis must not be empty'], 'a description is no synopsis');
    assert.deepEqual(lint(GOOD.replace('opam-version: "2.0"', 'opam-version: "2.0.1"')), [
      'Error in frob.1.0: Opam lint warning 20: Field \'opam-version\' refers to the patch version of opam, it should be of the form MAJOR.MINOR: "2.0.1"',
      'Error in frob.1.0: Opam lint error 21: Field \'opam-version\' doesn\'t match the current version, validation may not be accurate: "2.0.1"',
    ]);
    assert.deepEqual(lint(GOOD.replace('homepage: "https://example.org/frob"', 'homepage: ""').replace('authors: "Jane"', 'authors: [""]')), [
      'Error in frob.1.0: Opam lint error 22: Some fields are present but empty; remove or fill them: "homepage", "author"',
    ]);
    assert.deepEqual(lint(GOOD.replace('["dune" "build" "-p" name "-j" jobs]', '["make" "all"]')), ["Error in frob.1.0: Opam lint error 39: Command 'make' called directly, use the built-in variable instead"]);
    assert.deepEqual(lint(GOOD.replace('["dune" "build" "-p" name "-j" jobs]', '[make "all"]')), [], 'the make variable is the right way');
    assert.match(lint(`${GOOD}build-test: [["make" "test"]]\n`).join('\n'), /Opam lint warning 48: The fields 'build-test:' and 'build-doc:' are deprecated/);
  });

  test('what opam lint reports and cid missed (issue #10): unknown fields and sections, malformed checksums, non-archive URLs, non-SPDX licences', () => {
    assert.deepEqual(lint(`${GOOD}homepag: "https://example.org"\n`), [
      "Error in frob.1.0: Opam lint error  3: File format error in 'homepag' at line 15, column 0: Invalid field homepag",
    ]);
    assert.deepEqual(lint(`${GOOD}x-whatever: "ok"\n`), [], 'x- fields are extensions');
    assert.deepEqual(lint(GOOD.replace('url {', 'urls {')), [
      "Error in frob.1.0: Opam lint error  3: File format error in 'urls': Invalid section urls",
      'Error in frob.1.0: No package source directory provided.',
    ]);
    assert.deepEqual(lint(GOOD.replace('url {', 'url {\n  mirror: "https://example.org/m.tbz"')), [
      "Error in frob.1.0: Opam lint error  3: File format error in 'url.mirror' at line 12, column 2: Invalid field mirror",
    ]);
    assert.deepEqual(lint(GOOD.replace(/"sha512=0+"/, '"sha256=nothex"')), [
      `Error in frob.1.0: Opam lint error  3: File format error in 'url.checksum' at line 13, column 52: invalid checksum "sha256=nothex" (expected md5=, sha256= or sha512= followed by 32, 64 or 128 hex digits)`,
    ]);
    assert.deepEqual(lint(GOOD.replace('"https://example.org/frob-1.0.tbz"', '"git+https://example.org/frob.git#v1.0"')), [
      'Error in frob.1.0: Opam lint error 67: Checksum specified with a non archive url: "git+https://example.org/frob.git#v1.0"',
    ]);
    assert.deepEqual(lint(GOOD.replace('"https://example.org/frob-1.0.tbz"', '"https://example.org/frob.git"')).length, 1, 'a .git suffix is git too');
    assert.deepEqual(lint(GOOD.replace('license: "MIT"', 'license: ["GPL v2" "MIT" "BSD"]')), [
      'Error in frob.1.0: Opam lint warning 62: License doesn\'t adhere to the SPDX standard, see https://spdx.org/licenses/: "GPL v2", "BSD"',
    ]);
    for (const ok of ['MIT OR Apache-2.0', 'LGPL-2.1-or-later WITH OCaml-LGPL-linking-exception', 'GPL-2.0+', 'mit', 'LicenseRef-custom', '(ISC AND MIT) OR BSD-3-Clause']) {
      assert.deepEqual(lint(GOOD.replace('license: "MIT"', `license: "${ok}"`)), [], `${ok} is an SPDX expression`);
    }
    for (const bad of ['MIT OR', 'LGPL-2.1-or-later with OCaml-LGPL-linking-exception', 'GPL-2.0 WITH No-such-exception']) {
      assert.match(lint(GOOD.replace('license: "MIT"', `license: "${bad}"`)).join('\n'), /warning 62/, `${bad} is not`);
    }
  });

  test('syntax errors stop the lint; malformed fields are format errors; duplicates are noted', () => {
    assert.deepEqual(lint('opam-version: "2.0"\ndepends: [', { files: { opam: '100644', url: '100644' } }).length, 1, 'opam-ci-check stops at a file it cannot read');
    assert.match(lint('opam-version: "2.0"\ndepends: [')[0] ?? '', /^Error in frob\.1\.0: Failed to parse the opam file: packages\/frob\/frob\.1\.0\/opam:2:/);
    assert.match(lint(GOOD.replace('depends: [', 'depends: [42 ')).join('\n'), /Error in frob\.1\.0: Opam lint error {2}3: File format error in 'depends' at line 9, column 10: /);
    assert.deepEqual(lint(`${GOOD}license: "ISC"\n`), ["Error in frob.1.0: Opam lint error  3: File format error in 'license' at line 15, column 0: Duplicate field license"]);
  });
});

describe('lintRelease: new packages', () => {
  const names = new PackageNames(['lru-cache', 'LRU_Cache', 'frob', 'ocaml', 'ANSITerminal']);

  test('name collisions: case, "-" and "_" do not count; only for a new package', () => {
    assert.deepEqual(names.collisions('lrucache'), ['LRU_Cache', 'lru-cache'], 'byte order, as OCaml sorts');
    assert.deepEqual(names.collisions('lru-cache'), ['LRU_Cache']);
    assert.deepEqual(names.collisions('ansi_terminal'), ['ANSITerminal']);
    assert.deepEqual(names.collisions('cache-lru'), []);
    assert.deepEqual(names.collisions('pcaml'), [], 'no edit distance');
    assert.deepEqual(lint(GOOD, { name: 'Lru_cache', newPackage: true, packageNames: names }), [
      "Warning in Lru_cache.1.0: Possible name collision with package 'LRU_Cache'",
      "Warning in Lru_cache.1.0: Possible name collision with package 'lru-cache'",
    ]);
    assert.deepEqual(lint(GOOD, { name: 'Lru_cache', newPackage: false, packageNames: names }), [], 'a new release of a package is not compared');
  });

  test('restricted prefixes: a warning for a new package, on top of the conflict class rule', () => {
    const text = `${GOOD}conflict-class: "ocaml-host-arch"\n`;
    assert.deepEqual(lint(text, { name: 'host-arch-frob', newPackage: true, packageNames: names }), ["Warning in host-arch-frob.1.0: package name has restricted prefix 'host-arch-'"]);
    assert.deepEqual(lint(text, { name: 'host-arch-frob' }), []);
  });

  test('analyzeChanges passes new=true for new packages only and compares with every name of the merged tree', async () => {
    const opam = (name: string) => `packages/${name}/${name}.1.0/opam`;
    const base = new Map([[opam('lru-cache'), GOOD], [opam('typeid'), GOOD]]);
    const merged = new Map([...base, [opam('lru_cache'), GOOD], [opam('lrucache'), GOOD], [opam('type_id'), `${GOOD}available: false\n`]]);
    merged.set('packages/typeid/typeid.2.0/opam', GOOD);
    const r = await analyzeChanges({
      changedPaths: [opam('lru_cache'), opam('lrucache'), opam('type_id'), 'packages/typeid/typeid.2.0/opam'],
      base: memoryTree(base),
      merged: memoryTree(merged),
      platforms: presetPlatforms('minimal'),
    });
    assert.deepEqual(r.analysis.packages.map((p) => [p.pkg, p.change]), [
      ['lru_cache.1.0', 'new-package'],
      ['lrucache.1.0', 'new-package'],
      ['type_id.1.0', 'unavailable'],
      ['typeid.2.0', 'new-release'],
    ]);
    assert.deepEqual(r.analysis.lint.map((l) => l.message), [
      "Warning in lru_cache.1.0: Possible name collision with package 'lru-cache'",
      "Warning in lru_cache.1.0: Possible name collision with package 'lrucache'",
      "Warning in lrucache.1.0: Possible name collision with package 'lru-cache'",
      "Warning in lrucache.1.0: Possible name collision with package 'lru_cache'",
    ], 'opam-repo-ci passes new=false for unavailable releases and new releases');
  });
});

describe('lintRelease: archive repository checks', () => {
  const ARCHIVED = `opam-version: "2.0"
depends: ["ocaml" "foo" {>= "1.0" & < "2.0"} "bar" {with-test} "baz" {= "1"}]
x-reason-for-archiving: ["source-unavailable" "maintenance-intent"]
x-opam-repository-commit-hash-at-time-of-archiving: "de786e28dbea73843ad5e5f0290a4e81fba39370"
`;
  const archive = (text: string) => lint(text, { checks: ['archive-repo'] });

  test('only when asked for: opam-repo-ci does not run them', () => {
    assert.deepEqual(archive(ARCHIVED.replace('"bar" {with-test}', '"bar" {with-test & <= "3"}')), []);
    assert.ok(!lint(GOOD).some((m) => m.includes('upper bound') || m.includes('archiving')));
  });

  test('every dependency but ocaml needs an upper bound (reported last first, as opam-ci-check folds)', () => {
    assert.deepEqual(archive(ARCHIVED.replace(/depends: .*/, 'depends: ["ocaml" {>= "4.08"} "foo" {>= "1"} "bar" "baz" {!= "2" | with-test}]')), [
      "Error in frob.1.0: An upper bound constraint is missing on dependency 'baz'",
      "Error in frob.1.0: An upper bound constraint is missing on dependency 'bar'",
      "Error in frob.1.0: An upper bound constraint is missing on dependency 'foo'",
    ]);
  });

  test('x-reason-for-archiving: a non-empty list of valid reasons; the commit hash: a string', () => {
    const bounded = ARCHIVED.replace('"bar" {with-test}', '"bar" {< "3"}');
    const reason =
      "Error in frob.1.0: The field 'x-reason-for-archiving' must be present and hold a nonempty list of one or more of the valid reasons ocaml-version, source-unavailable, maintenance-intent, uninstallable";
    for (const bad of ['', 'x-reason-for-archiving: "source-unavailable"\n', 'x-reason-for-archiving: []\n', 'x-reason-for-archiving: ["an invalid reason"]\n']) {
      assert.deepEqual(archive(bounded.replace(/x-reason-for-archiving: .*\n/, bad)), [reason], bad);
    }
    const hash =
      "Error in frob.1.0: The field 'x-opam-repository-commit-hash-at-time-of-archiving' must be present and hold a string recording the commit hash of the primary repo at the time the package version is archived.";
    assert.deepEqual(archive(bounded.replace(/x-opam-repository-commit-hash-at-time-of-archiving: .*\n/, '')), [hash]);
    assert.deepEqual(archive(bounded.replace(/(x-opam-repository-commit-hash-at-time-of-archiving:) .*\n/, '$1 false\n')), [hash]);
  });
});

test('the latest release of every package in the snapshot: no rule fires on many', async (t) => {
  const dir = await opamSnapshotDir(t);
  if (!dir) return;
  const files = listOpamFiles(dir);
  // The newest directory of each package, as a PR would touch it.
  const latest = new Map<string, string>();
  for (const f of files) latest.set(basename(dirname(dirname(f))), f);
  let withErrors = 0;
  const kinds = new Map<string, number>();
  for (const [name, f] of latest) {
    const pkg = basename(dirname(f));
    const msgs = lintRelease({ name, version: pkg.slice(name.length + 1), text: readFileSync(f, 'utf8'), dirFiles: new Map([['opam', '100644']]) });
    if (msgs.some((m) => m.level === 'error')) withErrors++;
    for (const m of msgs) {
      const kind = m.message.replace(/^(Error|Warning) in [^:]+: /, '').slice(0, 40);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  // Most of them passed opam-repo-ci; rules newer than a release (conf packages, opam lint's
  // synopsis style) and metadata opam lint only warns about account for the rest. A rule that
  // misreads the files fires on most of them.
  const worst = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5);
  assert.ok((worst[0]?.[1] ?? 0) < latest.size * 0.05, `a rule fires too often: ${JSON.stringify(worst)}`);
  assert.ok(withErrors < latest.size * 0.15, `${withErrors} of ${latest.size} releases have errors: ${JSON.stringify(worst)}`);
});

test('name collisions over the snapshot: every name indexed in a few ms, the known near-twins found', async (t) => {
  const dir = await opamSnapshotDir(t);
  if (!dir) return;
  const all = readdirSync(join(dir, 'packages'));
  const t0 = performance.now();
  const names = new PackageNames(all);
  const hits = all.flatMap((n) => names.collisions(n).map((o) => `${n}~${o}`));
  const ms = performance.now() - t0;
  assert.ok(hits.includes('lru_cache~lru-cache') && hits.includes('TCSLib~tcs-lib'), hits.join(' '));
  assert.ok(hits.length < 40, `${hits.length} collisions among existing packages: ${hits.join(' ')}`);
  assert.ok(ms < 200, `${ms} ms for ${all.length} names`);
});
