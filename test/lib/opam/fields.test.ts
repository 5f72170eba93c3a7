import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  envFromRecord,
  evalCommands,
  evalFilterBool,
  field,
  fieldNames,
  formatFilter,
  formatPackageFormula,
  formatValue,
  packageIdFromPath,
  parseOpamFile,
  parsePackageId,
  readDepexts,
  readField,
  readUrl,
  section,
  sectionField,
  summarizePackage,
  parseOpamValue,
} from '../../../lib/opam/index.ts';
import type { OpamFile } from '../../../lib/opam/index.ts';

const FIXTURE = new URL('../../fixtures/opam/full.opam', import.meta.url);

function fixture(): OpamFile {
  return parseOpamFile(readFileSync(FIXTURE, 'utf8'), { file: 'full.opam' });
}

describe('generic field access', () => {
  test('field() returns the raw value; absent fields are undefined', () => {
    const file = fixture();
    const v = field(file, 'license');
    assert.ok(v?.kind === 'string');
    assert.equal(v.value, 'ISC');
    assert.equal(v.loc.line, 11);
    assert.equal(field(file, 'no-such-field'), undefined);
    // Fields inside sections are not top-level fields.
    assert.equal(field(file, 'src'), undefined);
  });

  test('fieldNames lists top-level fields in order', () => {
    const names = fieldNames(fixture());
    assert.equal(names[0], 'opam-version');
    assert.ok(names.includes('x-ci-accept-failures'));
    assert.ok(!names.includes('url'));
  });

  test('sections and their fields', () => {
    const url = section(fixture(), 'url');
    assert.ok(url);
    const src = sectionField(url, 'src');
    assert.equal(src && formatValue(src), '"https://example.com/cid-example-1.4.0.tbz"');
  });

  test('the first of duplicated fields counts, as in opam', () => {
    const file = parseOpamFile('name: "first"\nname: "second"');
    assert.equal(readField(file, 'name'), 'first');
  });
});

describe('typed fields', () => {
  const file = fixture();

  test('strings and string lists (a lone string reads as a one-item list)', () => {
    assert.equal(readField(file, 'opam-version'), '2.0');
    assert.equal(readField(file, 'name'), 'cid-example');
    assert.equal(readField(file, 'version'), '1.4.0~beta1');
    assert.equal(readField(file, 'synopsis'), 'An example package for the parser tests');
    assert.equal(readField(file, 'description'), 'Longer text, with "quotes" and\nseveral lines.');
    assert.deepEqual(readField(file, 'maintainer'), ['Jane Doe <jane@example.com>']);
    assert.deepEqual(readField(file, 'authors'), ['Jane Doe', 'John Roe']);
    assert.deepEqual(readField(file, 'bug-reports'), ['https://example.com/cid-example/issues']);
    assert.equal(readField(file, 'dev-repo'), 'git+https://example.com/cid-example.git');
    assert.deepEqual(readField(file, 'x-ci-accept-failures'), ['centos-7', 'oraclelinux-7']);
    assert.deepEqual(readField(file, 'flags'), ['avoid-version', 'light-uninstall']);
  });

  test('formulas', () => {
    const depends = readField(file, 'depends');
    assert.ok(depends);
    assert.equal(
      formatPackageFormula(depends),
      '"ocaml" {>= "4.14" & < "5.4~"} & "dune" {>= "3.0"} & "alcotest" {with-test} & "odoc" {with-doc}',
    );
    assert.equal(formatPackageFormula(readField(file, 'depopts') ?? { kind: 'empty' }), '"lwt" | "async"');
    assert.equal(formatPackageFormula(readField(file, 'conflicts') ?? { kind: 'empty' }), '"ppxlib" {< "0.26"} | "base-no-ppx"');
  });

  test('available', () => {
    const available = readField(file, 'available');
    assert.ok(available);
    assert.equal(formatFilter(available), 'os != "win32" & arch != "arm32"');
    assert.equal(evalFilterBool(available, envFromRecord({ os: 'linux', arch: 'x86_64' })), true);
    assert.equal(evalFilterBool(available, envFromRecord({ os: 'win32', arch: 'x86_64' })), false);
    // Without brackets too.
    const bare = readField(parseOpamFile('available: os = "macos"'), 'available');
    assert.equal(bare && formatFilter(bare), 'os = "macos"');
  });

  test('commands, with command and argument filters; a single command needs one bracket level', () => {
    const build = readField(file, 'build') ?? [];
    assert.equal(build.length, 2);
    assert.equal(build[0]?.filter && formatFilter(build[0].filter), 'dev');
    assert.deepEqual(
      build[1]?.args.map((a) => [a.kind, a.value, a.filter ? formatFilter(a.filter) : '']),
      [
        ['string', 'dune', ''],
        ['string', 'build', ''],
        ['string', '-p', ''],
        ['ident', 'name', ''],
        ['string', '-j', ''],
        ['ident', 'jobs', ''],
        ['string', '--promote-install-files=false', 'ocaml:version >= "4.14"'],
        ['string', '@install', ''],
        ['string', '@runtest', 'with-test'],
        ['string', '@doc', 'with-doc'],
      ],
    );
    assert.equal(readField(file, 'install')?.length, 1);
    assert.deepEqual(
      readField(file, 'run-test')?.[0]?.args.map((a) => a.value),
      ['make', 'test', 'OCAMLVERSION=%{ocaml:version}%'],
    );
    assert.deepEqual(readField(parseOpamFile('build: []'), 'build'), []);
  });

  test('evalCommands gives the argv that would run', () => {
    const env = envFromRecord({
      name: 'cid-example',
      jobs: '4',
      make: 'gmake',
      'ocaml:version': '5.2.1',
      'with-test': true,
      dev: false,
    });
    assert.deepEqual(evalCommands(readField(file, 'build') ?? [], env), [
      ['dune', 'build', '-p', 'cid-example', '-j', '4', '--promote-install-files=false', '@install', '@runtest'],
    ]);
    assert.deepEqual(evalCommands(readField(file, 'run-test') ?? [], env), [['gmake', 'test', 'OCAMLVERSION=5.2.1']]);
    // Undefined variables become "" and a command whose every argument is filtered out vanishes.
    const cmds = readField(parseOpamFile('build: [[undefined-var "x"] ["y" {false}]]'), 'build') ?? [];
    assert.deepEqual(evalCommands(cmds, env), [['', 'x']]);
  });

  test('environment updates', () => {
    assert.deepEqual(
      readField(file, 'build-env')?.map((u) => [u.name, u.op, u.value]),
      [
        ['CAML_LD_LIBRARY_PATH', '=', '%{lib}%/stublibs'],
        ['PATH', '+=', '%{bin}%'],
      ],
    );
    assert.deepEqual(
      readField(file, 'setenv')?.map((u) => [u.name, u.op, u.value]),
      [['MY_VAR', '=', '1']],
    );
    assert.throws(() => readField(parseOpamFile('setenv: [[A = "1" B = "2"]]'), 'setenv'), {
      reason: 'expected one environment update per [ ]',
    });
  });

  test('pin-depends and extra-files', () => {
    assert.deepEqual(
      readField(file, 'pin-depends')?.map((p) => [p.name, p.version, p.url]),
      [
        ['foo', '1.0', 'git+https://example.com/foo.git#v1.0'],
        ['bar', 'dev', 'https://example.com/bar.tar.gz'],
      ],
    );
    assert.deepEqual(
      readField(file, 'extra-files')?.map((x) => [x.path, x.checksum]),
      [['fix-build.patch', 'md5=0123456789abcdef0123456789abcdef']],
    );
    assert.throws(() => readField(parseOpamFile('pin-depends: [["foo" "url"]]'), 'pin-depends'), {
      reason: 'expected "name.version", found "foo"',
    });
  });

  test('depexts in the opam 2 form and the opam 1.2 form', () => {
    const env = envFromRecord({ 'os-family': 'debian', 'os-distribution': 'ubuntu' });
    const depexts = readField(file, 'depexts') ?? [];
    assert.deepEqual(
      depexts.map((d) => [d.packages, d.filter ? evalFilterBool(d.filter, env) : true]),
      [
        [['libgmp-dev'], true],
        [['gmp-devel', 'pkgconf'], false],
        [['gmp'], true],
      ],
    );
    const old = readDepexts(parseOpamValue('[[["debian"] ["libgmp-dev"]] [["osx" "homebrew"] ["gmp"]]]'));
    assert.deepEqual(
      old.map((d) => [d.packages, d.filter && formatFilter(d.filter)]),
      [
        [['libgmp-dev'], '"debian"'],
        [['gmp'], '"osx" & "homebrew"'],
      ],
    );
  });

  test('url section', () => {
    assert.deepEqual(
      (({ loc: _loc, ...rest }) => rest)(readUrl(file) ?? { loc: undefined, src: '', checksums: [], mirrors: [] }),
      {
        src: 'https://example.com/cid-example-1.4.0.tbz',
        checksums: ['sha256=aaaa', 'sha512=bbbb'],
        mirrors: ['https://mirror.example.com/cid-example-1.4.0.tbz'],
      },
    );
    assert.equal(readUrl(parseOpamFile('name: "x"')), undefined);
  });

  test('a field of the wrong shape throws OpamFieldError with the field and position', () => {
    const bad = parseOpamFile('opam-version: "2.0"\nname: ["a"]', { file: 'bad.opam' });
    assert.throws(() => readField(bad, 'name'), {
      name: 'OpamFieldError',
      field: 'name',
      line: 2,
      column: 7,
      message: 'bad.opam:2:7: expected a string, found a list in "name:"',
    });
    assert.throws(() => readField(parseOpamFile('flags: ["x"]'), 'flags'), { reason: 'expected an ident, found a string' });
    assert.throws(() => readField(parseOpamFile('build: [["a" [b]]]'), 'build'), {
      reason: 'expected a command argument (a string or a variable), found a list',
    });
  });
});

describe('package summary', () => {
  test('collects the typed fields, with defaults for absent ones', () => {
    const s = summarizePackage(fixture());
    assert.equal(s.name, 'cid-example');
    assert.equal(s.version, '1.4.0~beta1');
    assert.deepEqual(s.maintainers, ['Jane Doe <jane@example.com>']);
    assert.equal(s.build.length, 2);
    assert.equal(s.url?.checksums.length, 2);
    assert.deepEqual(s.problems, []);

    const minimal = summarizePackage(parseOpamFile('opam-version: "2.0"'), { name: 'dune', version: '3.16.0' });
    assert.equal(minimal.name, 'dune');
    assert.equal(minimal.version, '3.16.0');
    assert.equal(minimal.depends.kind, 'empty');
    assert.deepEqual(minimal.available, { kind: 'bool', value: true });
    assert.deepEqual([minimal.build, minimal.depexts, minimal.pinDepends], [[], [], []]);
    assert.equal(minimal.url, undefined);
  });

  test('a malformed field is reported in problems and read as absent; strict mode throws', () => {
    const file = parseOpamFile('opam-version: "2.0"\ndepends: ["a"]\nx-ci-accept-failures: os = "x"', { file: 'p.opam' });
    const s = summarizePackage(file);
    assert.equal(formatPackageFormula(s.depends), '"a"');
    assert.deepEqual(s.xCiAcceptFailures, []);
    assert.deepEqual(
      s.problems.map((p) => [p.field, p.line]),
      [['x-ci-accept-failures', 3]],
    );
    assert.throws(() => summarizePackage(file, {}, { strict: true }), { name: 'OpamFieldError', field: 'x-ci-accept-failures' });
  });
});

describe('package ids', () => {
  test('name.version splits at the first dot', () => {
    assert.deepEqual(parsePackageId('dune.3.16.0'), { name: 'dune', version: '3.16.0' });
    assert.deepEqual(parsePackageId('ocaml-base-compiler.5.2.0~alpha1'), {
      name: 'ocaml-base-compiler',
      version: '5.2.0~alpha1',
    });
    assert.equal(parsePackageId('noversion'), undefined);
    assert.equal(parsePackageId('.1.0'), undefined);
  });

  test('from an opam-repository path', () => {
    assert.deepEqual(packageIdFromPath('/x/packages/dune/dune.3.16.0/opam'), { name: 'dune', version: '3.16.0' });
    assert.deepEqual(packageIdFromPath('packages/lwt/lwt.5.7.0'), { name: 'lwt', version: '5.7.0' });
  });
});
