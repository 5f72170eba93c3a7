// Annotations from real logs: the fixtures are logs of the executor running dune and ocamlc
// (OCaml 4.13, dune 2.9 from Debian bookworm) in cid-test/ocaml:bookworm.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { annotationsFromLog, cleanLine, parseAnnotations, repoPath } from '../../../runner/report/annotations.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/runner/${name}`, import.meta.url), 'utf8');

describe('parseAnnotations on real logs', () => {
  it('reads dune\'s dev profile, where warnings and alerts are errors', () => {
    assert.deepEqual(parseAnnotations(fixture('dune-dev-profile.log')), [
      {
        path: 'lib/mylib.ml',
        start_line: 8,
        end_line: 8,
        start_column: 9,
        end_column: 24,
        annotation_level: 'failure',
        title: 'Error (alert deprecated)',
        message: 'Stdlib.String.lowercase\nUse String.lowercase_ascii/StringLabels.lowercase_ascii instead.',
      },
      {
        path: 'lib/mylib.ml',
        start_line: 4,
        end_line: 4,
        start_column: 7,
        end_column: 12,
        annotation_level: 'failure',
        title: 'Error (warning 26 [unused-var])',
        message: 'unused variable unused.',
      },
      {
        path: 'lib/other.ml',
        start_line: 2,
        end_line: 2,
        start_column: 20,
        end_column: 31,
        annotation_level: 'failure',
        title: 'Error',
        message: 'This expression has type string but an expression was expected of type\nint',
      },
    ]);
  });

  it('reads the release profile: warnings, notices, errors, each once though dune printed them twice', () => {
    const a = parseAnnotations(fixture('dune-release-profile.log'));
    assert.deepEqual(
      a.map((x) => [x.path, x.start_line, x.start_column, x.annotation_level, x.title]),
      [
        ['lib/mylib.ml', 8, 9, 'notice', 'Alert deprecated'],
        ['lib/mylib.ml', 4, 7, 'warning', 'Warning 26 [unused-var]'],
        ['bin/main.ml', 2, 30, 'failure', 'Error'],
        ['bin/main.ml', 2, 18, 'failure', 'Error'],
      ],
    );
    assert.equal(a[2]?.message, 'This expression has type int but an expression was expected of type\nstring');
    assert.equal(a[3]?.message, 'Unbound module Mylib');
  });

  it('reads ocamlc run by hand: absolute paths in the workdir, line ranges, locations without characters', () => {
    assert.deepEqual(parseAnnotations(fixture('ocamlc-direct.log')), [
      {
        path: 'scratch/w.ml',
        start_line: 3,
        end_line: 5,
        annotation_level: 'warning',
        title: 'Warning 8 [partial-match]',
        message: 'this pattern-matching is not exhaustive.\nHere is an example of a case that is not matched:\nC',
      },
      {
        path: 'scratch/w.ml',
        start_line: 7,
        end_line: 7,
        start_column: 11,
        end_column: 14,
        annotation_level: 'failure',
        title: 'Error',
        message: 'Unbound value prin',
      },
      {
        path: 'scratch/w.ml',
        start_line: 1,
        end_line: 1,
        annotation_level: 'warning',
        title: 'Warning 70 [missing-mli]',
        message: 'Cannot find interface file.',
      },
    ]);
  });
});

describe('parseAnnotations on tricky output', () => {
  const ESC = '\x1b';
  it('strips colours (dune with CLICOLOR_FORCE), timestamps and progress redraws', () => {
    const log = [
      `2026-01-02 03:04.05: Done: 3/10 (jobs: 1)\r${ESC}[2K${ESC}[1mFile "${ESC}[1mlib/x.ml${ESC}[0m", line 2, characters 0-5${ESC}[0m:`,
      `2026-01-02 03:04.05: 2 | ${ESC}[1;31mlet x${ESC}[0m = 1`,
      `2026-01-02 03:04.05:     ${ESC}[1;31m^^^^^${ESC}[0m`,
      `2026-01-02 03:04.05: ${ESC}[1;31mError${ESC}[0m: Syntax error`,
    ].join('\r\n');
    assert.equal(cleanLine(`2026-01-02 03:04.05: ${ESC}[1;31mError${ESC}[0m: x\r`), 'Error: x');
    assert.deepEqual(parseAnnotations(log), [
      { path: 'lib/x.ml', start_line: 2, end_line: 2, start_column: 1, end_column: 5, annotation_level: 'failure', title: 'Error', message: 'Syntax error' },
    ]);
  });

  it('keeps the structure of long messages and their hints, and stops at the runner\'s own lines', () => {
    const log = [
      'File "lib/m.ml", line 1:',
      'Error: The implementation lib/m.ml',
      '       does not match the interface lib/.m.objs/byte/m.cmi:',
      '       Values do not match:',
      '         val x : int',
      '       is not included in',
      '         val x : string',
      'Hint: Did you mean y?',
      'run step exited with status 1',
      '/src: (run (shell "dune build"))',
    ].join('\n');
    const [a] = parseAnnotations(log);
    assert.equal(
      a?.message,
      [
        'The implementation lib/m.ml',
        'does not match the interface lib/.m.objs/byte/m.cmi:',
        'Values do not match:',
        '  val x : int',
        'is not included in',
        '  val x : string',
        'Hint: Did you mean y?',
      ].join('\n'),
    );
  });

  it('keeps the diff of dune\'s formatting check as raw details', () => {
    const log = [
      'File "lib/x.ml", line 1, characters 0-0:',
      'diff --git a/_build/default/lib/x.ml b/_build/default/lib/.formatted/x.ml',
      'index 1a2b3c4..5d6e7f8 100644',
      '--- a/_build/default/lib/x.ml',
      '+++ b/_build/default/lib/.formatted/x.ml',
      '@@ -1 +1 @@',
      '-let x=1',
      '+let x = 1',
      'Error: Files _build/default/lib/x.ml and _build/default/lib/.formatted/x.ml differ.',
    ].join('\n');
    const [a] = parseAnnotations(log);
    assert.equal(a?.path, 'lib/x.ml');
    assert.equal(a?.start_column, 1);
    assert.equal(a?.end_column, 1, 'an empty range still marks one column');
    assert.match(a?.raw_details ?? '', /^diff --git .*\n[\s\S]*\+let x = 1$/);
  });

  it('leaves out files that are not in the repository and locations with no diagnostic', () => {
    const log = [
      'File "/home/opam/.opam/5.1/lib/ocaml/stdlib.mli", line 10, characters 0-3:',
      'Error: Something in the compiler\'s library',
      'File "_none_", line 1:',
      'Error: I/O error',
      'File "../outside.ml", line 1:',
      'Error: nope',
      'File "lib/y.ml", line 3, characters 1-2:',
      'Some unrelated line',
      'Error: not attached to the location above',
      'File "dune", line 2, characters 13-18:',
      '2 |  (libraries fmtt))',
      '                  ^^^^^',
      'Error: Library "fmtt" not found.',
    ].join('\n');
    assert.deepEqual(
      parseAnnotations(log).map((a) => [a.path, a.message]),
      [['dune', 'Library "fmtt" not found.']],
    );
  });

  it('maps paths to the repository', () => {
    assert.equal(repoPath('/src/lib/x.ml'), 'lib/x.ml');
    assert.equal(repoPath('_build/default/lib/x.ml'), 'lib/x.ml');
    assert.equal(repoPath('/src/_build/default/lib/x.ml'), 'lib/x.ml');
    assert.equal(repoPath('./lib/x.ml'), 'lib/x.ml');
    assert.equal(repoPath('/home/opam/src/a.ml', ['/home/opam/src/']), 'a.ml');
    assert.equal(repoPath('/usr/lib/ocaml/list.ml'), undefined);
  });

  it('is what annotationsFromLog returns, capped when asked', () => {
    const one = 'File "a.ml", line 1:\nError: x\n';
    const many = Array.from({ length: 5 }, (_, i) => one.replace('line 1', `line ${i + 1}`)).join('');
    assert.equal(annotationsFromLog(many).length, 5);
    assert.equal(parseAnnotations(many, { limit: 2 }).length, 2);
  });
});
