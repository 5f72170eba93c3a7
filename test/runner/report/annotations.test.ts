import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationsFromLog } from '../../../runner/report/index.ts';

const ESC = '\x1b';
const log = [
  '2026-11-22 10:00.01: (cd _build/default && /usr/bin/ocamlc.opt -w @1..3@5..28@30..39@43@46..47@49..57@61..62@67@69@40-41-42-44-45-48-58-59-60-66 -g -bin-annot -I src/.alpha.objs/byte -no-alias-deps -opaque -o src/.alpha.objs/byte/alpha.cmo -c -impl src/alpha.ml)',
  `2026-11-22 10:00.01: ${ESC}[1mFile "src/alpha.ml", line 3, characters 4-9:${ESC}[0m`,
  '2026-11-22 10:00.01: 3 | let unused = 1',
  '2026-11-22 10:00.01:         ^^^^^',
  `2026-11-22 10:00.01: ${ESC}[1;35mWarning${ESC}[0m 32 [unused-value-declaration]: unused value unused.`,
  '2026-11-22 10:00.02: File "/src/lib/beta.ml", lines 10-12, characters 2-20:',
  '2026-11-22 10:00.02: 10 | ..match x with',
  '2026-11-22 10:00.02: Error: This expression has type int but an expression was expected of type',
  '2026-11-22 10:00.02:          string',
  '2026-11-22 10:00.02: File "_build/default/test/t.ml", line 1:',
  '2026-11-22 10:00.02: Error: Some fatal thing',
  '2026-11-22 10:00.03: File "src/alpha.ml", line 3, characters 4-9:',
  '2026-11-22 10:00.03: 3 | let unused = 1',
  '2026-11-22 10:00.03: Warning 32 [unused-value-declaration]: unused value unused.',
  '2026-11-22 10:00.04: File "src/gamma.ml", line 7, characters 0-3:',
  '2026-11-22 10:00.04: Alert deprecated: Stdlib.String.lowercase',
  'File "nothing.ml", line 1, characters 0-1:',
  'just some text, not a diagnostic',
].join('\n');

test('compiler errors, warnings and alerts become annotations with repository paths', () => {
  const a = annotationsFromLog(log);
  assert.deepEqual(a, [
    {
      path: 'src/alpha.ml',
      start_line: 3,
      end_line: 3,
      start_column: 5,
      end_column: 9,
      annotation_level: 'warning',
      title: 'Warning 32 [unused-value-declaration]',
      message: 'unused value unused.',
    },
    {
      path: 'lib/beta.ml',
      start_line: 10,
      end_line: 12,
      annotation_level: 'failure',
      title: 'Error',
      message: 'This expression has type int but an expression was expected of type\nstring',
    },
    { path: 'test/t.ml', start_line: 1, end_line: 1, annotation_level: 'failure', title: 'Error', message: 'Some fatal thing' },
    {
      path: 'src/gamma.ml',
      start_line: 7,
      end_line: 7,
      start_column: 1,
      end_column: 3,
      annotation_level: 'notice',
      title: 'Alert deprecated',
      message: 'Stdlib.String.lowercase',
    },
  ]);
});

test('a log without diagnostics gives none', () => {
  assert.deepEqual(annotationsFromLog('2026-11-22 10:00.01: all good\nDone: 12/12\n'), []);
});
