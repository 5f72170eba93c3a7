import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  envFromRecord,
  filterPackageFormula,
  formatConstraintFormula,
  formatPackageFormula,
  formatResolvedFormula,
  formatVersionConstraint,
  formulaVariables,
  isFormulaSatisfied,
  isVersionAllowed,
  packageAtoms,
  parseOpamValue,
  valueToPackageFormula,
} from '../../../lib/opam/index.ts';
import type { PackageFormula, VariableEnv } from '../../../lib/opam/index.ts';

function depends(src: string): PackageFormula {
  return valueToPackageFormula(parseOpamValue(src), 'conj', { file: 'f.opam', field: 'depends' });
}

const DEPENDS = `[
  "ocaml" {>= "4.08" & < "5.3~"}
  "dune" {>= "3.0" & build}
  "alcotest" {with-test & >= "1.5"}
  "odoc" {with-doc}
  ("lwt" {>= "5"} | "async" {>= "v0.16"})
  "base-unix" {os != "win32"}
  "mylib-core" {= version}
  "conf-dev" {dev}
  ("ocamlfind" {with-test} | "ocamlbuild")
]`;

function env(extra: Record<string, string | boolean> = {}): VariableEnv {
  return envFromRecord({
    os: 'linux',
    arch: 'x86_64',
    'ocaml:version': '5.2.1',
    version: '1.2.0',
    build: true,
    post: false,
    'with-test': false,
    'with-doc': false,
    dev: false,
    ...extra,
  });
}

describe('reading package formulas', () => {
  test('items of depends are joined by &, groups and | kept', () => {
    assert.equal(
      formatPackageFormula(depends('["a" ("b" | "c") "d" {>= "1"}]')),
      '"a" & ("b" | "c") & "d" {>= "1"}',
    );
  });

  test('conflicts and depopts join their items with |', () => {
    const f = valueToPackageFormula(parseOpamValue('["a" {< "1"} "b"]'), 'disj');
    assert.equal(formatPackageFormula(f), '"a" {< "1"} | "b"');
  });

  test('a single item needs no brackets', () => {
    assert.equal(formatPackageFormula(depends('"ocaml" {>= "4.14"}')), '"ocaml" {>= "4.14"}');
    assert.equal(depends('[]').kind, 'empty');
  });

  test('constraints mix versions and filters; version variables are kept as variables', () => {
    const f = depends(DEPENDS);
    assert.equal(
      formatPackageFormula(f),
      '"ocaml" {>= "4.08" & < "5.3~"} & "dune" {>= "3.0" & build} & "alcotest" {with-test & >= "1.5"}' +
        ' & "odoc" {with-doc} & ("lwt" {>= "5"} | "async" {>= "v0.16"}) & "base-unix" {os != "win32"}' +
        ' & "mylib-core" {= version} & "conf-dev" {dev} & ("ocamlfind" {with-test} | "ocamlbuild")',
    );
  });

  test('! negates a constraint formula: relops flip, filters get !, & and | swap', () => {
    const f = depends('"a" {!(>= "1" & < "2") & !with-test}');
    assert.ok(f.kind === 'atom');
    assert.equal(formatConstraintFormula(f.atom.constraint), '(< "1" | >= "2") & !with-test');
  });

  test('an item that is not a package atom is rejected with its position', () => {
    assert.throws(() => depends('[\n  "a"\n  42\n]'), {
      name: 'OpamFieldError',
      line: 3,
      column: 3,
      message: 'f.opam:3:3: expected a package formula item ("name" {constraints}), found an int in "depends:"',
    });
    assert.throws(() => depends('[ocaml]'), { reason: /found the ident ocaml/ });
    assert.throws(() => depends('[("a") {>= "1"}]'), { reason: 'expected a package name (a string), found a group' });
    assert.throws(() => depends('["a" {>= 1}]'), { reason: 'expected a version (a string or a variable), found an int' });
  });

  test('lists every variable the formula reads', () => {
    assert.deepEqual(formulaVariables(depends(DEPENDS)), ['build', 'with-test', 'with-doc', 'os', 'version', 'dev', 'with-test']);
  });
});

describe('applying variables to package formulas', () => {
  test('filters drop or keep atoms; a dropped branch of | leaves the other', () => {
    assert.equal(
      formatResolvedFormula(filterPackageFormula(depends(DEPENDS), env())),
      '"ocaml" {>= "4.08" & < "5.3~"} & "dune" {>= "3.0"} & ("lwt" {>= "5"} | "async" {>= "v0.16"})' +
        ' & "base-unix" & "mylib-core" {= "1.2.0"} & ("ocamlbuild")',
    );
    // The written parentheses stay (as OpamFormula.map keeps blocks) around what is left of them.
  });

  test('packageAtoms lists what remains, by environment', () => {
    const names = (e: VariableEnv): string[] => packageAtoms(depends(DEPENDS), e).map((a) => a.name);
    assert.deepEqual(names(env()), ['ocaml', 'dune', 'lwt', 'async', 'base-unix', 'mylib-core', 'ocamlbuild']);
    assert.deepEqual(names(env({ 'with-test': true, 'with-doc': true, dev: true, os: 'win32' })), [
      'ocaml',
      'dune',
      'alcotest',
      'odoc',
      'lwt',
      'async',
      'mylib-core',
      'conf-dev',
      'ocamlfind',
      'ocamlbuild',
    ]);
    // Building nothing (build=false): build-only dependencies go too.
    assert.ok(!names(env({ build: false })).includes('dune'));
  });

  test('atoms carry their resolved version constraints', () => {
    const atoms = packageAtoms(depends(DEPENDS), env({ 'with-test': true }));
    const byName = new Map(atoms.map((a) => [a.name, formatVersionConstraint(a.constraint)]));
    assert.equal(byName.get('ocaml'), '>= "4.08" & < "5.3~"');
    // The filter part is true, so only the version part stays.
    assert.equal(byName.get('alcotest'), '>= "1.5"');
    assert.equal(byName.get('mylib-core'), '= "1.2.0"');
    assert.equal(byName.get('base-unix'), '');
  });

  test('undefined filters count as false; undefined version variables drop the constraint', () => {
    const f = depends('["a" {undef-var} "b" {= undef-version} "c" {>= "%{undef}%1"}]');
    const atoms = packageAtoms(f, env());
    assert.deepEqual(
      atoms.map((a) => [a.name, formatVersionConstraint(a.constraint)]),
      [
        ['b', ''],
        ['c', '>= "1"'],
      ],
    );
    assert.deepEqual(
      packageAtoms(f, env(), { fallback: true }).map((a) => a.name),
      ['a', 'b', 'c'],
    );
  });

  test('a filter that holds on one side of | frees the version', () => {
    const atoms = packageAtoms(depends('["a" {>= "2" | with-test}]'), env({ 'with-test': true }));
    assert.deepEqual(
      atoms.map((a) => [a.name, a.constraint.kind]),
      [['a', 'empty']],
    );
  });
});

describe('isVersionAllowed', () => {
  const dune = depends(
    '[("ocaml" {>= "4.08"} | ("ocaml" {>= "4.02" & < "4.08~~"} & "ocamlfind-secondary")) "base-unix"]',
  );
  // [formula, env, package, version, allowed]
  const table: [string, PackageFormula, VariableEnv, string, string, boolean][] = [
    ['lower bound met', depends(DEPENDS), env(), 'ocaml', '5.2.1', true],
    ['below the lower bound', depends(DEPENDS), env(), 'ocaml', '4.07.1', false],
    ['at the lower bound', depends(DEPENDS), env(), 'ocaml', '4.08.0', true],
    ['upper bound excludes 5.3 and its pre-releases', depends(DEPENDS), env(), 'ocaml', '5.3.0~alpha1', false],
    ['unmentioned package', depends(DEPENDS), env(), 'zarith', '1.0', true],
    ['filtered out without tests', depends(DEPENDS), env(), 'alcotest', '1.0', true],
    ['constrained with tests', depends(DEPENDS), env({ 'with-test': true }), 'alcotest', '1.0', false],
    ['= version, matching', depends(DEPENDS), env(), 'mylib-core', '1.2.0', true],
    ['= version, not matching', depends(DEPENDS), env(), 'mylib-core', '1.1.0', false],
    ['either branch of | suffices (first)', dune, env(), 'ocaml', '4.14.0', true],
    ['either branch of | suffices (second)', dune, env(), 'ocaml', '4.05.0', true],
    ['neither branch', dune, env(), 'ocaml', '4.01.0', false],
  ];
  for (const [why, f, e, name, version, want] of table) {
    test(`${why}: ${name} ${version} → ${want}`, () => assert.equal(isVersionAllowed(f, e, name, version), want));
  }
});

describe('isFormulaSatisfied', () => {
  const f = depends('["ocaml" {>= "4.14"} ("lwt" | "async") "alcotest" {with-test}]');
  const installed =
    (pkgs: Record<string, string>) =>
    (name: string): string | undefined =>
      pkgs[name];

  test('all conjuncts and one disjunct, at matching versions', () => {
    assert.equal(isFormulaSatisfied(f, env(), installed({ ocaml: '5.1.0', lwt: '5.7.0' })), true);
    assert.equal(isFormulaSatisfied(f, env(), installed({ ocaml: '5.1.0', async: 'v0.17' })), true);
  });

  test('a missing or too old package fails it', () => {
    assert.equal(isFormulaSatisfied(f, env(), installed({ ocaml: '5.1.0' })), false);
    assert.equal(isFormulaSatisfied(f, env(), installed({ ocaml: '4.13.1', lwt: '5.7.0' })), false);
  });

  test('test-only dependencies matter only with with-test', () => {
    const pkgs = installed({ ocaml: '5.1.0', lwt: '5.7.0' });
    assert.equal(isFormulaSatisfied(f, env({ 'with-test': true }), pkgs), false);
    assert.equal(
      isFormulaSatisfied(f, env({ 'with-test': true }), installed({ ocaml: '5.1.0', lwt: '5.7.0', alcotest: '1.7.0' })),
      true,
    );
  });
});

describe('resolved constraints keep opam\'s partial evaluation', () => {
  test('an undefined version variable under | makes that side true, so any version matches', () => {
    const [a] = packageAtoms(depends('["a" {= undef-version | >= "2"}]'), env());
    assert.ok(a);
    assert.equal(formatVersionConstraint(a.constraint), 'true | >= "2"');
    assert.equal(isVersionAllowed(depends('["a" {= undef-version | >= "2"}]'), env(), 'a', '1.0'), true);
    assert.equal(isVersionAllowed(depends('["a" {= undef-version & >= "2"}]'), env(), 'a', '1.0'), false);
  });
});
