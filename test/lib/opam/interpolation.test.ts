import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  envFromRecord,
  expandString,
  formatFilterIdent,
  identVariableNames,
  interpolatedVariables,
  parseFilterIdent,
  parseInterpolationIdent,
  resolveIdent,
  scanInterpolations,
} from '../../../lib/opam/index.ts';

describe('variable references', () => {
  const table: [string, string[], string | undefined][] = [
    ['os', ['os'], undefined],
    ['ocaml:version', ['ocaml:version'], undefined],
    ['_:doc', ['_:doc'], undefined],
    ['a+b:installed', ['a:installed', 'b:installed'], undefined],
    ['_+lwt:installed', ['_:installed', 'lwt:installed'], undefined],
  ];
  for (const [text, names] of table) {
    test(`${text} reads ${names.join(', ')}`, () => {
      const ident = parseFilterIdent(text);
      assert.deepEqual(identVariableNames(ident), names);
      assert.equal(formatFilterIdent(ident), text);
    });
  }

  test('converters inside interpolations: var?then:else', () => {
    assert.deepEqual(parseInterpolationIdent('lwt:installed?--enable-lwt:--disable-lwt'), {
      packages: ['lwt'],
      variable: 'installed',
      converter: { ifTrue: '--enable-lwt', ifFalse: '--disable-lwt' },
    });
    assert.deepEqual(parseInterpolationIdent('with-test?yes:'), {
      packages: [],
      variable: 'with-test',
      converter: { ifTrue: 'yes', ifFalse: '' },
    });
  });

  test('resolution: globals, package scopes, conjunctions and converters', () => {
    const env = envFromRecord({
      os: 'linux',
      'ocaml:version': '5.2.1',
      'a:installed': true,
      'b:installed': false,
      'c:installed': 'true',
      '_:name': 'self',
    });
    const r = (text: string): unknown => resolveIdent(parseInterpolationIdent(text), env);
    assert.equal(r('os'), 'linux');
    assert.equal(r('ocaml:version'), '5.2.1');
    assert.equal(r('_:name'), 'self');
    assert.equal(r('arch'), undefined);
    assert.equal(r('a+c:installed'), true);
    assert.equal(r('a+b:installed'), false);
    assert.equal(r('a+zz:installed'), undefined);
    // The conjunction stops at the first false, even before an undefined package.
    assert.equal(r('b+zz:installed'), false);
    assert.equal(r('a:installed?yes:no'), 'yes');
    assert.equal(r('b:installed?yes:no'), 'no');
    // Undefined or non-bool under a converter gives the "else" text.
    assert.equal(r('zz:installed?yes:no'), 'no');
    assert.equal(r('os?yes:no'), 'no');
    // pkg:enable is sugar for pkg:installed?enable:disable.
    assert.equal(r('a:enable'), 'enable');
    assert.equal(r('b:enable'), 'disable');
  });
});

describe('interpolation in strings', () => {
  test('lists interpolated variables in order', () => {
    assert.deepEqual(interpolatedVariables('%{prefix}%/lib/%{name}% %{ocaml:version}% %{a+b:installed}%'), [
      'prefix',
      'name',
      'ocaml:version',
      'a:installed',
      'b:installed',
    ]);
    assert.deepEqual(interpolatedVariables('no variables here'), []);
  });

  test('%% is a literal percent, not the start of a reference', () => {
    assert.deepEqual(interpolatedVariables('100%% %%{not}% %{yes}%'), ['yes']);
  });

  test('an unclosed reference is reported and left alone; it ends at the line end', () => {
    const scan = scanInterpolations('a %{oops\n%{fine}% b %{open');
    assert.deepEqual(
      scan.interpolations.map((x) => x.text),
      ['fine'],
    );
    assert.deepEqual(scan.unclosed, [2, 20]);
  });

  test('a } inside is part of the name until }%', () => {
    assert.deepEqual(
      scanInterpolations('%{a}b}%').interpolations.map((x) => [x.text, x.start, x.end]),
      [['a}b', 0, 7]],
    );
  });

  test('expansion: values, bools, undefined as "" (or kept with partial), %% unescaped', () => {
    const env = envFromRecord({ prefix: '/opt', 'with-test': true, 'lwt:installed': false });
    assert.equal(expandString('%{prefix}%/bin', env), '/opt/bin');
    assert.equal(expandString('test=%{with-test}%', env), 'test=true');
    assert.equal(expandString('--%{lwt:enable}%-lwt', env), '--disable-lwt');
    assert.equal(expandString('[%{nope}%]', env), '[]');
    assert.equal(expandString('[%{nope}%] 5%%', env, { partial: true }), '[%{nope}%] 5%%');
    assert.equal(expandString('5%% of %{prefix}%', env), '5% of /opt');
    assert.equal(expandString('%{unclosed', env), '%{unclosed');
  });
});
