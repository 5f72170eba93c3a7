// The first error of a failed step, for the job's reason. Shapes are real output: dune 2.9 and
// OCaml 4.13 from cid-test/ocaml:bookworm (the fixtures, and the blocks below copied from runs in
// it), and opam 2's report of a failed package build.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { firstError } from '../../../runner/report/index.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/runner/${name}`, import.meta.url), 'utf8');

describe('firstError', () => {
  it('takes dune\'s missing library with the dune file\'s location', () => {
    const out = [
      'File "t/dune", line 1, characters 32-38:',
      '1 | (executable (name m) (libraries ounit2))',
      '                                    ^^^^^^',
      'Error: Library "ounit2" not found.',
      'Hint: try:',
      '  dune external-lib-deps --missing @@default',
      '',
    ].join('\n');
    assert.equal(firstError(out), 't/dune:1: Error: Library "ounit2" not found.');
  });

  it('takes the first of several compiler errors in a timestamped log, joining its indented lines', () => {
    assert.equal(firstError(fixture('dune-dev-profile.log')), 'lib/mylib.ml:8: Error (alert deprecated): Stdlib.String.lowercase');
    const typeError = [
      '\x1b[1mFile "t/m.ml", line 1, characters 14-17\x1b[0m:',
      '1 | let x : int = "s"',
      '                  ^^^',
      '\x1b[1;31mError\x1b[0m: This expression has type string but an expression was expected of type',
      '         int',
      '',
    ].join('\n');
    assert.equal(firstError(typeError), 't/m.ml:1: Error: This expression has type string but an expression was expected of type int');
  });

  it('reads the "# " quoted output of opam\'s report, else says which package failed to build', () => {
    const opam = [
      '[ERROR] The compilation of foo.1.0 failed at "dune build -p foo -j 31 @install".',
      '',
      '#=== ERROR while compiling foo.1.0 ==========================================#',
      '# context     2.1.5 | linux/x86_64 | ocaml-base-compiler.4.14.1 | file:///src',
      '# path        ~/.opam/4.14/.opam-switch/build/foo.1.0',
      '# command     ~/.opam/opam-init/hooks/sandbox.sh build dune build -p foo -j 31 @install',
      '# exit-code   1',
      '# File "src/foo.ml", line 3, characters 8-9:',
      '# 3 | let x = y',
      '#             ^',
      '# Error: Unbound value y',
      '',
    ].join('\n');
    assert.equal(firstError(opam), 'src/foo.ml:3: Error: Unbound value y');
    assert.equal(firstError(opam.split('#===')[0] as string), 'foo.1.0 failed to build');
  });

  it('keeps paths outside the repository as they are, drops a location the error does not follow, and stays short', () => {
    assert.equal(firstError('File "/usr/lib/ocaml/stdlib.mli", line 1:\nError: Corrupted compiled interface\n'), '/usr/lib/ocaml/stdlib.mli:1: Error: Corrupted compiled interface');
    assert.equal(firstError('File "a.ml", line 1:\nsomething else\nError: boom\n'), 'Error: boom');
    const long = firstError(`Error: ${'x'.repeat(500)}\n`) ?? '';
    assert.equal(long.length, 200);
    assert.ok(long.endsWith('…'));
  });

  it('finds nothing in output without an error', () => {
    assert.equal(firstError('   test_beta alias test/runtest (exit 1)\nFAIL platform check\n'), undefined);
    assert.equal(firstError(''), undefined);
  });
});
