import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { lintRelease } from '../../../app/opam-repo/index.ts';
import { listOpamFiles, opamSnapshotDir } from '../../support/opam-snapshot.ts';

const GOOD = `opam-version: "2.0"
synopsis: "Frobnicate things"
maintainer: "Jane <jane@example.org>"
authors: "Jane"
license: "MIT"
homepage: "https://example.org/frob"
bug-reports: "https://example.org/frob/issues"
depends: ["ocaml" {>= "4.08"} "dune" {>= "3.0"}]
build: [["dune" "subst"] {dev} ["dune" "build" "-p" name "-j" jobs]]
url {
  src: "https://example.org/frob-1.0.tbz"
  checksum: ["md5=00000000000000000000000000000000" "sha512=${'0'.repeat(128)}"]
}
`;

const lint = (text: string, opts: { name?: string; version?: string; files?: Record<string, string> } = {}) =>
  lintRelease({ name: opts.name ?? 'frob', version: opts.version ?? '1.0', text, dirFiles: new Map(Object.entries(opts.files ?? { opam: '100644' })) }).map((m) => m.message);

describe('lintRelease', () => {
  test('a well-formed release is clean', () => {
    assert.deepEqual(lint(GOOD), []);
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

  test('checksums: present, and at least one strong', () => {
    assert.deepEqual(lint(GOOD.replace(/ {2}checksum: .*\n/, '')), ['Error in frob.1.0: The source archive has no checksum. Please add a SHA-256 or SHA-512 checksum.']);
    assert.deepEqual(lint(GOOD.replace(/ "sha512=0+"/, '')), [
      'Error in frob.1.0: Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: The source archive has md5=00000000000000000000000000000000',
    ]);
    assert.deepEqual(lint(`${GOOD}extra-source "fix.patch" {\n  src: "https://example.org/fix.patch"\n  checksum: "md5=00"\n}\n`), [
      'Error in frob.1.0: Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: extra-source "fix.patch" has md5=00',
    ]);
  });

  test('pin-depends and extra-files are refused', () => {
    assert.deepEqual(lint(`${GOOD}pin-depends: [["x.dev" "git+https://example.org/x"]]\nextra-files: [["a.patch" "md5=00"]]\n`), [
      'Error in frob.1.0: pin-depends present. This is not allowed in the opam-repository.',
      'Error in frob.1.0: extra-files present. This is not allowed in the opam-repository. Please use extra-source instead.',
    ]);
  });

  test('someone to contact: a maintainer email or bug-reports', () => {
    assert.deepEqual(lint(GOOD.replace('maintainer: "Jane <jane@example.org>"', 'maintainer: "Jane"')), [], 'bug-reports is enough');
    assert.deepEqual(lint(GOOD.replace('maintainer: "Jane <jane@example.org>"', 'maintainer: "Jane"').replace(/bug-reports: .*\n/, '')), [
      "Error in frob.1.0: There is no way to contact the maintainer(s) 'Jane'. A package must either have a bug-reports field or a maintainer with an email address.",
    ]);
    assert.deepEqual(lint(GOOD.replace(/maintainer: .*\n/, '')), ["Error in frob.1.0: Missing field 'maintainer'"]);
  });

  test('dune as a {build} dependency and dune subst outside {dev}', () => {
    assert.match(lint(GOOD.replace('"dune" {>= "3.0"}', '"dune" {build & >= "3.0"}'))[0] ?? '', /^Error in frob\.1\.0: The package tagged dune as a build dependency\./);
    assert.deepEqual(lint(GOOD.replace('"dune" {>= "3.0"}', '"dune" {!build}')), [], 'a filter that is not gated on build is fine');
    assert.match(lint(GOOD.replace('["dune" "subst"] {dev}', '["dune" "subst"]'))[0] ?? '', /^Error in frob\.1\.0: Dubious use of 'dune subst'/);
    assert.match(lint(GOOD.replace('["dune" "subst"] {dev}', '["dune" "subst"] {dev | os = "linux"}'))[0] ?? '', /Dubious use of 'dune subst'/);
  });

  test('conf- packages need the conf flag and should list depexts', () => {
    const conf = GOOD.replace(/url \{[\s\S]*\}\n/, '').replace(/build: .*\n/, 'build: [["pkg-config" "gmp"]]\n');
    assert.deepEqual(lint(conf, { name: 'conf-gmp', version: '4' }), [
      "Error in conf-gmp.4: Package name starts with 'conf-' but the package lacks the 'conf' flag (flags: conf).",
      "Warning in conf-gmp.4: A 'conf-' package should list the system packages it checks for in 'depexts'.",
    ]);
    assert.deepEqual(lint(`${conf}flags: conf\ndepexts: [["libgmp-dev"] {os-family = "debian"}]\n`, { name: 'conf-gmp', version: '4' }), []);
  });

  test('duplicate fields are warned about', () => {
    assert.deepEqual(lint(`${GOOD}license: "ISC"\n`), ['Warning in frob.1.0: duplicate field "license:"; opam ignores all but the first']);
  });

  test('the release directory holds only opam and files/, with mode 644', () => {
    assert.deepEqual(lint(GOOD, { files: { opam: '100644', 'files/fix.patch': '100644', url: '100644', 'files/run.sh': '100755' } }), [
      'Error in frob.1.0: Forbidden permission for file packages/frob/frob.1.0/files/run.sh. All files should have permissions 644.',
      'Error in frob.1.0: Unexpected file in packages/frob/frob.1.0/url',
    ]);
  });

  test('syntax errors, malformed fields, missing fields, placeholder tags', () => {
    assert.match(lint('opam-version: "2.0"\ndepends: [')[0] ?? '', /^Error in frob\.1\.0: Failed to parse the opam file: packages\/frob\/frob\.1\.0\/opam:2:/);
    assert.ok(lint(`${GOOD}depends: 42\n`).every((m) => !m.startsWith('Error')), 'a duplicate is ignored, as opam does');
    assert.match(lint(GOOD.replace('depends: [', 'depends: [42 ')).join('\n'), /Error in frob\.1\.0: Bad format of field 'depends'/);
    assert.deepEqual(lint(GOOD.replace(/synopsis: .*\n/, '').replace(/license: .*\n/, '').replace('opam-version: "2.0"', 'opam-version: "2.1"')), [
      'Warning in frob.1.0: Field \'opam-version\' is "2.1"; opam-repository files use "2.0"',
      "Warning in frob.1.0: Missing field 'synopsis'",
      "Warning in frob.1.0: Missing field 'license'",
    ]);
    assert.deepEqual(lint(`${GOOD}tags: ["add topics" "to describe" "your" "project"]\n`), [
      'Warning in frob.1.0: The package has not replaced the following default, example tags: add topics, to describe, your, project',
    ]);
  });
});

test('the latest release of every package in the snapshot has few lint errors', async (t) => {
  const dir = await opamSnapshotDir(t);
  if (!dir) return;
  const files = listOpamFiles(dir);
  // The newest directory of each package, as a PR would add it.
  const latest = new Map<string, string>();
  for (const f of files) latest.set(basename(dirname(dirname(f))), f);
  let errors = 0;
  const kinds = new Map<string, number>();
  for (const [name, f] of latest) {
    const pkg = basename(dirname(f));
    const msgs = lintRelease({ name, version: pkg.slice(name.length + 1), text: readFileSync(f, 'utf8'), dirFiles: new Map([['opam', '100644']]) });
    for (const m of msgs.filter((x) => x.level === 'error')) {
      errors++;
      const kind = m.message.replace(/^Error in [^:]+: /, '').slice(0, 30);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  // opam-repository's own CI passed on these, except for rules newer than the releases.
  assert.ok(errors < latest.size * 0.1, `${errors} errors in ${latest.size} releases: ${JSON.stringify([...kinds])}`);
});
