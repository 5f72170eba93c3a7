import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OpamFieldError,
  envFromRecord,
  evalFilter,
  evalFilterBool,
  filterVariables,
  formatFilter,
  parseOpamValue,
  valueToFilter,
  valuesToFilter,
} from '../../../lib/opam/index.ts';
import type { Filter, FilterValue } from '../../../lib/opam/index.ts';

const env = envFromRecord({
  os: 'linux',
  arch: 'x86_64',
  'os-distribution': 'debian',
  'os-family': 'debian',
  'os-version': '12',
  'ocaml:version': '5.2.1',
  'opam-version': '2.3.0',
  'with-test': true,
  'with-doc': false,
  build: true,
  post: false,
  dev: false,
  'lwt:installed': true,
  'async:installed': false,
});

function filter(src: string): Filter {
  return valueToFilter(parseOpamValue(src));
}

describe('evalFilter', () => {
  // [filter, expected value]; `undefined` means opam's "undefined" result.
  const table: [string, FilterValue][] = [
    ['true', true],
    ['false', false],
    ['os', 'linux'],
    ['ocaml:version', '5.2.1'],
    ['os = "linux"', true],
    ['os != "linux"', false],
    ['os = "win32"', false],
    ['os-family = "debian" & arch = "x86_64"', true],
    ['os = "linux" & (arch = "arm64" | arch = "x86_64")', true],
    ['!(os = "macos" | os = "win32")', true],
    // relational operators compare as versions, not as text
    ['ocaml:version >= "4.14"', true],
    ['ocaml:version < "5.0"', false],
    ['ocaml:version >= "5.2.1~"', true],
    ['ocaml:version < "5.2.2~"', true],
    ['os-version >= "9"', true],
    ['os-version < "9"', false],
    ['opam-version >= "2.1"', true],
    // bools
    ['with-test', true],
    ['with-doc', false],
    ['!with-test', false],
    ['with-test & with-doc', false],
    ['with-test | with-doc', true],
    ['build & !post', true],
    ['with-test = true', true],
    ['with-doc != false', false],
    ['lwt:installed & !async:installed', true],
    ['lwt+async:installed', false],
    // undefined propagates through comparisons and negation...
    ['undef', undefined],
    ['!undef', undefined],
    ['undef = "x"', undefined],
    ['"x" != undef', undefined],
    ['pkg:undef', undefined],
    // ...is absorbed by false & and true |, on either side...
    ['false & undef', false],
    ['undef & false', false],
    ['with-doc & undef', false],
    ['true | undef', true],
    ['undef | with-test', true],
    // ...and otherwise stays undefined
    ['true & undef', undefined],
    ['undef | false', undefined],
    ['os = "linux" & undef = "x"', undefined],
    // ? tests definedness and is never undefined
    ['?undef', false],
    ['?os', true],
    ['!?undef', true],
    ['?(os = "x")', true],
    ['?(undef = "x")', false],
    ['?undef | os = "linux"', true],
    // strings in logic: "true"/"false" work as bools, other text makes it undefined
    ['"true" & true', true],
    ['"false" | false', false],
    ['"linux" & true', undefined],
    ['!"x"', undefined],
    // strings are interpolated; undefined references read as ""
    ['"%{os}%" = "linux"', true],
    ['"%{os}%-%{arch}%"', 'linux-x86_64'],
    ['"%{undef}%" = ""', true],
    // ints compare as their text
    ['3 = "3"', true],
    ['os-version = 12', true],
  ];
  for (const [src, want] of table) {
    test(`${src}  ⇒  ${want === undefined ? 'undefined' : JSON.stringify(want)}`, () => {
      assert.equal(evalFilter(filter(src), env), want);
    });
  }
});

describe('evalFilterBool', () => {
  test('undefined and non-bool results give the fallback, false by default', () => {
    assert.equal(evalFilterBool(filter('undef'), env), false);
    assert.equal(evalFilterBool(filter('undef'), env, true), true);
    assert.equal(evalFilterBool(filter('os'), env), false);
    assert.equal(evalFilterBool(filter('os'), env, true), true);
    assert.equal(evalFilterBool(filter('"true"'), env), true);
    assert.equal(evalFilterBool(filter('os = "linux"'), env, false), true);
    assert.equal(evalFilterBool(filter('os = "macos"'), env, true), false);
  });

  test('the same filter changes value with the environment', () => {
    const f = filter('os != "win32" & arch != "arm32"');
    assert.equal(evalFilterBool(f, envFromRecord({ os: 'linux', arch: 'x86_64' })), true);
    assert.equal(evalFilterBool(f, envFromRecord({ os: 'win32', arch: 'x86_64' })), false);
    assert.equal(evalFilterBool(f, envFromRecord({ os: 'linux', arch: 'arm32' })), false);
    assert.equal(evalFilterBool(f, envFromRecord({ os: 'linux' })), false);
  });
});

describe('filters from values', () => {
  test('an empty option list is true; groups unwrap', () => {
    assert.deepEqual(valuesToFilter([]), { kind: 'bool', value: true, loc: undefined });
    assert.equal(formatFilter(filter('((os = "linux"))')), 'os = "linux"');
  });

  test('several values, lists and version constraints are not filters', () => {
    const opt = parseOpamValue('x {os = "a" arch = "b"}');
    assert.ok(opt.kind === 'option');
    assert.throws(() => valuesToFilter(opt.options, { file: 'f.opam', field: 'build' }), (e: unknown) => {
      assert.ok(e instanceof OpamFieldError);
      assert.equal(e.field, 'build');
      assert.deepEqual([e.line, e.column], [1, 13]);
      assert.match(e.message, /^f\.opam:1:13: expected a single filter expression/);
      return true;
    });
    assert.throws(() => filter('[os]'), { name: 'OpamFieldError', reason: 'expected a filter expression, found a list' });
    assert.throws(() => filter('>= "1"'), { reason: /found a version constraint/ });
  });

  test('lists the variables a filter reads, including interpolated ones', () => {
    assert.deepEqual(filterVariables(filter('os = "linux" & (?with-test | "%{ocaml:version}%" >= "5") & a+_:installed')), [
      'os',
      'with-test',
      'ocaml:version',
      'a:installed',
      '_:installed',
    ]);
  });

  test('printing keeps only the needed parentheses and reparses to the same result', () => {
    const cases: [string, string][] = [
      ['a | b & c', 'a | b & c'],
      ['(a | b) & c', '(a | b) & c'],
      ['!(a = "x")', '!(a = "x")'],
      ['!a & ?b', '!a & ?b'],
      ['(a & b) & c', 'a & b & c'],
      ['a & (b & c)', 'a & (b & c)'],
    ];
    for (const [src, printed] of cases) {
      const f = filter(src);
      assert.equal(formatFilter(f), printed, src);
      assert.equal(formatFilter(filter(printed)), printed, `reparse ${printed}`);
    }
  });
});
