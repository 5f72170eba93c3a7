import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BadPackageRequestError,
  DependencyCycleError,
  Solver,
  SolverTimeoutError,
  Universe,
  UnknownPackageError,
  parsePackageRequest,
  reverseDependencies,
} from '../../../../lib/opam/solver/index.ts';
import type { SolverOptions } from '../../../../lib/opam/solver/index.ts';
import { checkSolution } from './check-solution.ts';

const VARS = { arch: 'x86_64', os: 'linux', 'os-family': 'debian', 'os-distribution': 'debian', 'os-version': '12', 'opam-version': '2.3.0' };

function universe(files: Record<string, string>): Universe {
  return Universe.fromTexts(Object.entries(files).map(([k, v]) => [k, `opam-version: "2.0"\n${v}`]));
}

function solve(u: Universe, specs: string[], o: Partial<SolverOptions> = {}) {
  return new Solver(u, { vars: VARS, ...o }).solve(specs.map(parsePackageRequest));
}

function picked(r: ReturnType<typeof solve>): string[] {
  assert.ok(r.ok, r.ok ? '' : r.explanation.join('\n'));
  return r.selection.map((s) => `${s.name}.${s.version}`);
}

const BASIC = {
  'ocaml.4.14.2': '',
  'ocaml.5.3.0': '',
  'dune.3.0': 'depends: ["ocaml" {>= "4.08"}]',
  'dune.3.17': 'depends: ["ocaml" {>= "4.14"}]',
  'lib.1.0': 'depends: ["ocaml" {< "5.0"} "dune"]',
  'lib.2.0': 'depends: ["ocaml" {>= "5.0"} "dune" {>= "3.17"}]',
  'app.1.0': 'depends: ["lib" {< "2.0"}]',
};

describe('opam solver', () => {
  test('prefers the newest versions, and backtracks when they do not fit', () => {
    const u = universe(BASIC);
    assert.deepEqual(picked(solve(u, ['lib'])), ['dune.3.17', 'lib.2.0', 'ocaml.5.3.0']);
    // app needs lib < 2.0, which needs OCaml < 5.0: the solver must go back on ocaml 5.3.0.
    assert.deepEqual(picked(solve(u, ['app'])), ['app.1.0', 'dune.3.17', 'lib.1.0', 'ocaml.4.14.2']);
  });

  test('lower-bounds mode prefers the oldest versions', () => {
    const u = universe(BASIC);
    assert.deepEqual(picked(solve(u, ['lib'], { lowerBounds: true })), ['dune.3.0', 'lib.1.0', 'ocaml.4.14.2']);
  });

  test('conflicts, conflict-class and availability filters with platform variables', () => {
    const u = universe({
      'a.1': 'conflicts: ["b" {>= "2"}]',
      'b.1': '',
      'b.2': '',
      'c.1': 'conflict-class: "impl"',
      'd.1': 'conflict-class: "impl"',
      'e.1': 'available: arch = "x86_64"',
      'e.2': 'available: arch = "arm64"',
    });
    assert.deepEqual(picked(solve(u, ['a', 'b'])), ['a.1', 'b.1']);
    const r = solve(u, ['c', 'd']);
    assert.equal(r.ok, false);
    assert.deepEqual(picked(solve(u, ['e'])), ['e.1']);
    assert.deepEqual(picked(solve(u, ['e'], { vars: { ...VARS, arch: 'arm64' } })), ['e.2']);
  });

  test('dependency filters: with-test only for the requested packages, build and post count, depopts do not force', () => {
    const u = universe({
      'a.1': 'depends: ["t" {with-test} "b" {build} "p" {post}]\ndepopts: ["o"]',
      'b.1': 'depends: ["u" {with-test}]',
      't.1': '',
      'u.1': '',
      'p.1': '',
      'o.1': '',
    });
    assert.deepEqual(picked(solve(u, ['a'])), ['a.1', 'b.1', 'p.1']);
    assert.deepEqual(picked(solve(u, ['a'], { withTest: true })), ['a.1', 'b.1', 'p.1', 't.1']);
  });

  test('version-relative constraints and pins', () => {
    const u = universe({
      'x.1': 'depends: ["x-lib" {= version}]',
      'x.2': 'depends: ["x-lib" {= version}]',
      'x-lib.1': '',
      'x-lib.2': '',
    });
    assert.deepEqual(picked(solve(u, ['x'])), ['x.2', 'x-lib.2']);
    assert.deepEqual(picked(solve(u, ['x'], { pins: { x: '1' } })), ['x.1', 'x-lib.1']);
  });

  test('explains a failure by the constraints that clash and who imposes them', () => {
    const u = universe({
      'oseq.0.4': '',
      'oseq.0.5.1': '',
      'daypack-lib.0.0.6': 'depends: ["oseq" {< "0.5"}]',
      'daypack-lib.0.0.5': 'depends: ["oseq" {< "0.5"}]',
      'noise.1': 'depends: ["oseq"]',
    });
    const r = solve(u, ['oseq.0.5.1', 'daypack-lib', 'noise']);
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.deepEqual(r.explanation, [
      'you asked for daypack-lib',
      'you asked for oseq.0.5.1',
      'daypack-lib (versions 0.0.6, 0.0.5) require oseq {< "0.5"}',
      'only one version of oseq can be installed',
    ]);
  });

  test('a dependency nobody can satisfy is named with the reason', () => {
    const u = universe({ 'a.1': 'depends: ["b" {>= "2"}]', 'b.1': '', 'b.2': 'available: os = "macos"' });
    const r = solve(u, ['a']);
    assert.ok(!r.ok);
    assert.deepEqual(r.explanation, ['you asked for a', 'a.1 requires b {>= "2"}, but b.2 not available here']);
  });

  test('bad input: malformed names, unknown packages and versions are typed errors', () => {
    const u = universe(BASIC);
    assert.throws(() => parsePackageRequest('Bad Name'), BadPackageRequestError);
    assert.throws(() => parsePackageRequest('lib>='), BadPackageRequestError);
    assert.throws(() => parsePackageRequest('123'), BadPackageRequestError);
    assert.throws(() => solve(u, ['nope']), UnknownPackageError);
    assert.throws(() => solve(u, ['lib.9.9']), (e: Error) => e instanceof UnknownPackageError && /versions: 1.0, 2.0/.test(e.message));
  });

  test('cyclic dependencies end with an error naming the cycle; {post} breaks a cycle', () => {
    const u = universe({ 'a.1': 'depends: ["b"]', 'b.1': 'depends: ["a"]', 'c.1': 'depends: ["d"]', 'd.1': 'depends: ["c" {post}]' });
    assert.throws(() => solve(u, ['a']), (e: Error) => e instanceof DependencyCycleError && e.message.includes('a.1 → b.1 → a.1'));
    assert.deepEqual(picked(solve(u, ['c'])), ['c.1', 'd.1']);
  });

  test('a solve past its budget stops with "solver gave up"', () => {
    // The pigeonhole problem, hard for any resolution-based search: 10 packages that each need a
    // version of one of 9 packages (hole s at version p holds pigeon p); one version per package.
    const files: Record<string, string> = {};
    for (let s = 0; s < 9; s++) for (let p = 0; p < 10; p++) files[`hole${s}.${p}`] = '';
    for (let p = 0; p < 10; p++) {
      files[`pigeon${p}.1`] = `depends: [${Array.from({ length: 9 }, (_, s) => `"hole${s}" {= "${p}"}`).join(' | ')}]`;
    }
    const u = universe(files);
    assert.equal(solve(u, ['pigeon0', 'pigeon1']).ok, true);
    const all = Array.from({ length: 10 }, (_, p) => `pigeon${p}`);
    assert.throws(() => solve(u, all, { maxSteps: 2000 }), (e: Error) => e instanceof SolverTimeoutError && /solver gave up after \d+ ms/.test(e.message));
    assert.throws(() => solve(u, all, { timeoutMs: 2 }), SolverTimeoutError);
  });

  test('every solution passes the independent checker', () => {
    const u = universe(BASIC);
    for (const specs of [['lib'], ['app'], ['dune', 'ocaml.4.14.2']]) {
      const r = solve(u, specs);
      assert.ok(r.ok);
      assert.deepEqual(checkSolution(u, r.selection, { vars: VARS, requested: specs.map((s) => ({ name: s.split('.')[0]! })) }), []);
    }
  });

  test('revdeps: direct or recursive, and only the co-installable ones', () => {
    const u = universe({
      ...BASIC,
      'old.1': 'depends: ["lib" {< "2.0"} "ocaml" {>= "5.0"}]',
      'tool.1': 'depends: ["app"]',
    });
    assert.deepEqual(reverseDependencies(u, 'lib.1.0', { vars: VARS }), ['app.1.0', 'old.1']);
    assert.deepEqual(reverseDependencies(u, 'lib.1.0', { vars: VARS, coinstallable: true }), ['app.1.0']);
    assert.deepEqual(reverseDependencies(u, 'lib.1.0', { vars: VARS, recursive: true, coinstallable: true }), ['app.1.0', 'tool.1']);
    assert.throws(() => reverseDependencies(u, 'lib.7', { vars: VARS }), UnknownPackageError);
  });
});
