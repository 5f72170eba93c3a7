import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpamLexer } from '../../../lib/opam/lexer.ts';
import type { Token } from '../../../lib/opam/lexer.ts';
import { OpamParseError } from '../../../lib/opam/errors.ts';

function tokens(src: string): Token[] {
  const lx = new OpamLexer(src, 't.opam');
  const out: Token[] = [];
  for (;;) {
    const t = lx.next();
    out.push(t);
    if (t.type === 'eof') return out;
  }
}

/** Compact `type:value` form for readable expectations. */
function brief(src: string): string[] {
  return tokens(src)
    .filter((t) => t.type !== 'eof')
    .map((t) => ('value' in t ? `${t.type}:${String(t.value)}` : t.type));
}

function lexError(src: string): OpamParseError {
  try {
    tokens(src);
  } catch (e) {
    assert.ok(e instanceof OpamParseError, `expected OpamParseError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(src)} to be rejected`);
}

describe('opam lexer', () => {
  test('punctuation', () => {
    assert.deepEqual(brief('{ } [ ] ( ) : & |'), [
      'lbrace',
      'rbrace',
      'lbracket',
      'rbracket',
      'lpar',
      'rpar',
      'colon',
      'and',
      'or',
    ]);
  });

  test('relational, prefix and environment operators', () => {
    assert.deepEqual(brief('= != < <= > >= ~'), [
      'relop:=',
      'relop:!=',
      'relop:<',
      'relop:<=',
      'relop:>',
      'relop:>=',
      'relop:>=', // legacy `~` reads as >=
    ]);
    assert.deepEqual(brief('! ?'), ['pfxop:!', 'pfxop:?']);
    assert.deepEqual(brief('+= =+ =+= := =:'), ['envop:+=', 'envop:=+', 'envop:=+=', 'envop::=', 'envop:=:']);
  });

  test('operators need no surrounding spaces', () => {
    assert.deepEqual(brief('a>=b'), ['ident:a', 'relop:>=', 'ident:b']);
    assert.deepEqual(brief('!a&b|c'), ['pfxop:!', 'ident:a', 'and', 'ident:b', 'or', 'ident:c']);
    assert.deepEqual(brief('PATH+="x"'), ['ident:PATH', 'envop:+=', 'string:x']);
  });

  test('identifiers with dashes, package scopes, + and _', () => {
    assert.deepEqual(brief('with-test ocaml:version _:doc pkg+foo:installed a+b+c 4x'), [
      'ident:with-test',
      'ident:ocaml:version',
      'ident:_:doc',
      'ident:pkg+foo:installed',
      'ident:a+b+c',
      'ident:4x',
    ]);
    // An ident takes one `:scope`; a further colon is punctuation.
    assert.deepEqual(brief('a:b:c'), ['ident:a:b', 'colon', 'ident:c']);
    // `name:` followed by a space is a field name and a colon.
    assert.deepEqual(brief('name: x'), ['ident:name', 'colon', 'ident:x']);
    // After `:` the scope must contain a letter; `a:1` is ident, colon, int.
    assert.deepEqual(brief('a:1'), ['ident:a', 'colon', 'int:1']);
    // `-foo` is an ident (dashes are identifier characters), `-1` an int.
    assert.deepEqual(brief('-foo -1'), ['ident:-foo', 'int:-1']);
  });

  test('bools only when the whole word is true or false', () => {
    assert.deepEqual(brief('true false trueish false-ish'), [
      'bool:true',
      'bool:false',
      'ident:trueish',
      'ident:false-ish',
    ]);
  });

  test('integers, negative and with underscores', () => {
    assert.deepEqual(brief('0 42 -7 1_000'), ['int:0', 'int:42', 'int:-7', 'int:1000']);
    // `1-2` is two ints: the minus only starts a number.
    assert.deepEqual(brief('1-2'), ['int:1', 'int:-2']);
  });

  test('strings decode escapes', () => {
    const [t] = tokens(String.raw`"a\"b\\c\n\t\r\b\'\ \065\x41"`);
    assert.equal(t?.type, 'string');
    assert.equal(t.type === 'string' && t.value, 'a"b\\c\n\t\r\b\' AA');
  });

  test('backslash-newline joins lines and drops the indentation', () => {
    const [t] = tokens('"one \\\n      two"');
    assert.equal(t?.type === 'string' && t.value, 'one two');
  });

  test('CRLF inside strings is stored as LF', () => {
    const [t] = tokens('"a\r\nb"');
    assert.equal(t?.type === 'string' && t.value, 'a\nb');
  });

  test('interpolations are kept verbatim', () => {
    const [t] = tokens('"%{prefix}%/lib %{pkg:installed?yes:no}%"');
    assert.equal(t?.type === 'string' && t.value, '%{prefix}%/lib %{pkg:installed?yes:no}%');
  });

  test('triple-quoted strings hold quotes and newlines', () => {
    const [t, u] = tokens('"""He said "hi"\nand left""" ""');
    assert.ok(t?.type === 'string' && t.triple);
    assert.equal(t.value, 'He said "hi"\nand left');
    assert.ok(u?.type === 'string' && !u.triple);
    assert.equal(u.value, '');
  });

  test('comments: # to end of line and nested (* *)', () => {
    assert.deepEqual(brief('a # b c\nd'), ['ident:a', 'ident:d']);
    assert.deepEqual(brief('a (* b (* c *) d *) e'), ['ident:a', 'ident:e']);
    // Inside a string, comment markers are text.
    assert.deepEqual(brief('"# (* x"'), ['string:# (* x']);
  });

  test('positions: 1-based lines and columns, end exclusive, across multi-line tokens', () => {
    const ts = tokens('a: "x\ny" (* c\n *) b\r\n  [');
    const [a, colon, str, b, lb, eof] = ts;
    assert.deepEqual(a?.loc, { line: 1, column: 1, offset: 0, endLine: 1, endColumn: 2, endOffset: 1 });
    assert.equal(colon?.loc.column, 2);
    assert.deepEqual(str?.loc, { line: 1, column: 4, offset: 3, endLine: 2, endColumn: 3, endOffset: 8 });
    assert.deepEqual([b?.loc.line, b?.loc.column], [3, 5]);
    assert.deepEqual([lb?.loc.line, lb?.loc.column], [4, 3]);
    assert.equal(eof?.type, 'eof');
  });

  describe('rejects', () => {
    test('an unterminated string, pointing at its opening quote', () => {
      const e = lexError('x: [\n  "abc\n');
      assert.deepEqual([e.line, e.column], [2, 3]);
      assert.match(e.message, /^t\.opam:2:3: expected a closing " for the string opened here, found end of file$/);
    });

    test('an unterminated triple-quoted string', () => {
      const e = lexError('d: """abc" ""');
      assert.deepEqual([e.line, e.column], [1, 4]);
      assert.match(e.reason, /closing """/);
    });

    test('an unterminated comment, even when nested', () => {
      const e = lexError('a\n (* x (* y *) z');
      assert.deepEqual([e.line, e.column], [2, 2]);
      assert.equal(e.reason, 'expected "*)" to close the comment opened here, found end of file');
    });

    test('an illegal escape, pointing at the backslash', () => {
      const e = lexError('x: "a\\qb"');
      assert.deepEqual([e.line, e.column], [1, 6]);
      assert.match(e.reason, /expected an escape sequence .* found "\\q"$/);
    });

    test('a decimal escape above 255', () => {
      const e = lexError('"\\300"');
      assert.match(e.reason, /found "\\3"/);
    });

    test('characters that start no token', () => {
      for (const [src, col, shown] of [
        ['a @', 3, '"@"'],
        ['x: 4.14', 5, '"."'],
        ['a + b', 3, '"+"'],
        ['a\rb', 2, '"\\r"'],
      ] as const) {
        const e = lexError(src);
        assert.equal(e.column, col, src);
        assert.equal(e.reason, `expected a token, found invalid character ${shown}`, src);
      }
    });

    test('underscore-only words, which lex as (invalid) integers', () => {
      assert.equal(lexError('x: __').reason, 'expected an integer, found "__"');
      // `_` alone matches both the int and the ident rule; the int rule comes first, as in opamLexer.
      assert.equal(lexError('x: _').reason, 'expected an integer, found "_"');
    });
  });
});
