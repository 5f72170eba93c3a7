import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpamParseError, parseOpamFile } from '../../../lib/opam/index.ts';

function rejection(src: string): OpamParseError {
  try {
    parseOpamFile(src, { file: 'foo.opam' });
  } catch (e) {
    assert.ok(e instanceof OpamParseError, `expected OpamParseError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(src)} to be rejected`);
}

describe('opam parser: malformed input is rejected with position and expectation', () => {
  // [input, line, column, message without the file:line:column prefix]
  const table: [string, number, number, string][] = [
    ['opam-version: "2.0"\nname: "x"\ndepends: }', 3, 10, 'expected a value after "depends:", found "}"'],
    ['name:', 1, 6, 'expected a value after "name:", found end of file'],
    ['depends: [ "a"', 1, 15, 'expected "]" to close the list opened at 1:10, found end of file'],
    ['depends: [ "a" )', 1, 16, 'expected "]" to close the list opened at 1:10, found ")"'],
    ['a: (b', 1, 6, 'expected ")" to close the group opened at 1:4, found end of file'],
    ['depends: ["a" {>= "1"]', 1, 22, 'expected "}" to close the options opened at 1:15, found "]"'],
    ['url {\n  src: "x"\n', 3, 1, 'expected "}" to close section "url" opened at 1:5, found end of file'],
    ['name "x"', 1, 9, 'expected "{" after section label "x", found end of file'],
    ['name "x" "y" {}', 1, 10, 'expected "{" after section label "x", found string "y"'],
    ['name', 1, 5, 'expected ":" or "{" after "name", found end of file'],
    ['name = "x"', 1, 6, 'expected ":" or "{" after "name", found "="'],
    ['a: b\n]', 2, 1, 'expected a field name or a section, found "]"'],
    ['}', 1, 1, 'expected a field name or a section, found "}"'],
    ['"a": b', 1, 1, 'expected a field name or a section, found string "a"'],
    ['url { src: "x" ] }', 1, 16, 'expected a field name, a section or "}", found "]"'],
    [
      'a: "x" "y"',
      1,
      8,
      'expected a field name or a section, found string "y" ("a:" takes a single value; write several inside [ ])',
    ],
    [
      'a: [x] = y',
      1,
      8,
      'expected a field name or a section, found "=" ("=" takes a single string, ident, bool or int on each side)',
    ],
    ['a: b & ', 1, 8, 'expected a value after "&", found end of file'],
    ['a: b |\n', 2, 1, 'expected a value after "|", found end of file'],
    ['a: !', 1, 5, 'expected a value after "!", found end of file'],
    ['a: [?]', 1, 6, 'expected a value after "?", found "]"'],
    ['a: >= [x]', 1, 7, 'expected a string, ident, bool or int after ">=", found "["'],
    ['a: b = ]', 1, 8, 'expected a string, ident, bool or int after "=", found "]"'],
    ['a: b += (x)', 1, 9, 'expected a string, ident, bool or int after "+=", found "("'],
    ['a: [b {c]', 1, 9, 'expected "}" to close the options opened at 1:7, found "]"'],
    ['a: [:]', 1, 5, 'expected a value or "]" to close the list opened at 1:4, found ":"'],
    ['a: &', 1, 4, 'expected a value after "a:", found "&"'],
    // Lexical errors surface through the parser with the same type.
    ['a: "abc', 1, 4, 'expected a closing " for the string opened here, found end of file'],
    ['a: b (* x', 1, 6, 'expected "*)" to close the comment opened here, found end of file'],
    ['a: @', 1, 4, 'expected a token, found invalid character "@"'],
  ];

  for (const [src, line, column, reason] of table) {
    test(JSON.stringify(src), () => {
      const e = rejection(src);
      assert.equal(e.reason, reason);
      assert.deepEqual([e.file, e.line, e.column], ['foo.opam', line, column]);
      assert.equal(e.message, `foo.opam:${line}:${column}: ${reason}`);
    });
  }

  test('the error is an Error with a stack, named OpamParseError', () => {
    const e = rejection('x: [');
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'OpamParseError');
  });

  test('without a file name, messages say <string>', () => {
    assert.throws(() => parseOpamFile('x:'), { message: /^<string>:1:3: / });
  });
});
