import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, parseOpamFile, parseOpamValue } from '../../../lib/opam/index.ts';
import type { FieldItem, Item, SectionItem, Value } from '../../../lib/opam/index.ts';

/** How the parser grouped a value, every operator parenthesised. */
function grouping(src: string): string {
  return formatValue(parseOpamValue(src), { explicit: true });
}

function onlyField(src: string): FieldItem {
  const file = parseOpamFile(src);
  assert.equal(file.items.length, 1);
  const [it] = file.items;
  assert.equal(it?.kind, 'field');
  return it as FieldItem;
}

function valueOf(src: string): Value {
  return onlyField(`x: ${src}`).value;
}

describe('opam parser: items', () => {
  test('fields and sections, with and without labels, nested', () => {
    const file = parseOpamFile(
      [
        'opam-version: "2.0"',
        'url {',
        '  src: "https://example.com/a.tgz"',
        '  checksum: ["md5=00"]',
        '}',
        'extra-source "fix.patch" {',
        '  src: "https://example.com/fix.patch"',
        '  inner { deep: true }',
        '}',
        'empty {}',
      ].join('\n'),
      { file: 'pkg.opam' },
    );
    assert.equal(file.file, 'pkg.opam');
    const shape = (items: Item[]): unknown[] =>
      items.map((it) =>
        it.kind === 'field' ? it.name : { [`${it.sectionKind}${it.label ? ` ${it.label}` : ''}`]: shape(it.items) },
      );
    assert.deepEqual(shape(file.items), [
      'opam-version',
      { url: ['src', 'checksum'] },
      { 'extra-source fix.patch': ['src', { inner: ['deep'] }] },
      { empty: [] },
    ]);
    const url = file.items[1] as SectionItem;
    assert.equal(url.label, undefined);
    assert.deepEqual([url.loc.line, url.loc.column, url.loc.endLine, url.loc.endColumn], [2, 1, 5, 2]);
  });

  test('an empty file, or only comments, has no items', () => {
    assert.deepEqual(parseOpamFile('').items, []);
    assert.deepEqual(parseOpamFile('# nothing\n(* at all *)\n').items, []);
  });

  test('every atom kind', () => {
    assert.deepEqual(
      (valueOf('["s" id true false 3 -3]') as { items: Value[] }).items.map((v) =>
        v.kind === 'ident' ? `ident ${v.name}` : `${v.kind} ${String('value' in v ? v.value : '')}`,
      ),
      ['string s', 'ident id', 'bool true', 'bool false', 'int 3', 'int -3'],
    );
  });

  test('lists and groups nest and may be empty', () => {
    const v = valueOf('[ [] () [a (b c)] ]');
    assert.equal(formatValue(v), '[[] () [a (b c)]]');
    assert.equal(v.kind, 'list');
  });

  test('options attach to any value: atoms, lists, groups, and chain', () => {
    assert.equal(grouping('"a" {x}'), '("a" {x})');
    assert.equal(grouping('["make"] {os = "linux"}'), '(["make"] {(os = "linux")})');
    assert.equal(grouping('(a b) {c}'), '((a b) {c})');
    assert.equal(grouping('a {b} {c}'), '((a {b}) {c})');
    assert.equal(grouping('"a" {}'), '("a" {})');
  });

  test('a field takes exactly one value; a list holds several', () => {
    const f = onlyField('depends: ["a" {>= "1"} "b"]');
    assert.equal(f.value.kind, 'list');
    assert.equal(formatValue(f.value), '["a" {>= "1"} "b"]');
  });

  test('environment updates: = is a relop, the others env-bindings', () => {
    const v = valueOf('[[A = "1"] [B += "2"] [C =+ "3"] [D := "4"] [E =: "5"] [F =+= "6"]]');
    const ops = (v as { items: Value[] }).items.map((item) => {
      const b = (item as { items: Value[] }).items[0];
      if (b?.kind === 'relop') return `relop ${b.op}`;
      if (b?.kind === 'env-binding') return `env ${b.op}`;
      return b?.kind;
    });
    assert.deepEqual(ops, ['relop =', 'env +=', 'env =+', 'env :=', 'env =:', 'env =+=']);
  });

  test('strings keep decoded text and the triple-quote flag', () => {
    const v = valueOf('"""a "quoted"\nword"""');
    assert.ok(v.kind === 'string' && v.triple);
    assert.equal(v.value, 'a "quoted"\nword');
  });
});

describe('opam parser: precedence (as opamBaseParser.mly)', () => {
  const table: [string, string][] = [
    // | is lowest, then &
    ['a | b & c', '(a | (b & c))'],
    ['a & b | c', '((a & b) | c)'],
    ['a & b & c', '((a & b) & c)'],
    ['a | b | c', '((a | b) | c)'],
    // relops bind tighter than & and |
    ['a = b & c != d', '((a = b) & (c != d))'],
    ['os = "linux" | os = "macos"', '((os = "linux") | (os = "macos"))'],
    // prefix ! and ? bind tighter than & and |...
    ['!a & b', '((!a) & b)'],
    ['?a | b', '((?a) | b)'],
    ['!!a', '(!(!a))'],
    // ...but looser than relops and options
    ['!a = b', '(!(a = b))'],
    ['?x {y}', '(?(x {y}))'],
    ['!(a & b)', '(!((a & b)))'], // the group prints its own parentheses
    // options bind tighter than & and |, so they attach to the nearest value
    ['a & b {c}', '(a & (b {c}))'],
    ['a | b {c}', '(a | (b {c}))'],
    ['a = b {c}', '((a = b) {c})'],
    // prefix relops take an atom and combine under & and |
    ['>= "1.0" & < "2.0"', '((>= "1.0") & (< "2.0"))'],
    ['< "1" | > "2" & != "3"', '((< "1") | ((> "2") & (!= "3")))'],
    ['>= "1" {x}', '((>= "1") {x})'],
    // env updates bind two atoms
    ['PATH += "x"', '(PATH += "x")'],
  ];
  for (const [src, want] of table) {
    test(`${src}  ⇒  ${want}`, () => assert.equal(grouping(src), want));
  }

  test('in a list, a relop after a complete value starts a prefix relop', () => {
    // `atom RELOP atom` is non-associative: the second = begins a new list item.
    assert.equal(formatValue(parseOpamValue('[a = b = c]'), { explicit: true }), '[(a = b) (= c)]');
  });

  test('inside options, & and | combine constraints and filters', () => {
    const v = valueOf('"pkg" {>= "1.0" & < "2.0" & with-test}');
    assert.equal(formatValue(v, { explicit: true }), '("pkg" {(((>= "1.0") & (< "2.0")) & with-test)})');
  });
});

describe('opam parser: positions', () => {
  test('every node carries line and column spans', () => {
    const src = ['opam-version: "2.0"', 'depends: [', '  "ocaml" {>= "4.08" & with-test}', ']'].join('\n');
    const depends = parseOpamFile(src).items[1] as FieldItem;
    assert.deepEqual([depends.nameLoc.line, depends.nameLoc.column], [2, 1]);
    assert.deepEqual([depends.loc.line, depends.loc.column, depends.loc.endLine, depends.loc.endColumn], [2, 1, 4, 2]);
    const list = depends.value;
    assert.ok(list.kind === 'list');
    const opt = list.items[0];
    assert.ok(opt?.kind === 'option');
    assert.deepEqual([opt.loc.line, opt.loc.column, opt.loc.endColumn], [3, 3, 34]);
    assert.deepEqual([opt.optionsLoc.column, opt.optionsLoc.endColumn], [11, 34]);
    const and = opt.options[0];
    assert.ok(and?.kind === 'logop');
    assert.deepEqual([and.loc.column, and.opLoc.column, and.loc.endColumn], [12, 22, 33]);
    const pre = and.left;
    assert.ok(pre.kind === 'prefix-relop');
    assert.deepEqual([pre.opLoc.column, pre.operand.loc.column, pre.operand.loc.endColumn], [12, 15, 21]);
    // Offsets index the source text.
    assert.equal(src.slice(opt.loc.offset, opt.loc.endOffset), '"ocaml" {>= "4.08" & with-test}');
  });
});

describe('opam parser: duplicates and opam-version', () => {
  test('duplicate fields are accepted with a warning; the first one counts', () => {
    const file = parseOpamFile('name: "a"\nversion: "1"\nname: "b"\nurl { src: "x" src: "y" }');
    assert.deepEqual(
      file.warnings.map((w) => [w.code, w.line, w.column]),
      [
        ['duplicate-field', 3, 1],
        ['duplicate-field', 4, 16],
      ],
    );
    assert.match(file.warnings[0]?.message ?? '', /duplicate field "name:"/);
  });

  test('duplicate sections with the same label warn; different labels do not', () => {
    const file = parseOpamFile('url {}\nurl {}\nextra-source "a" {}\nextra-source "b" {}');
    assert.deepEqual(
      file.warnings.map((w) => [w.code, w.line]),
      [['duplicate-section', 2]],
    );
  });

  test('opam-version 2.0 may appear anywhere, even repeated', () => {
    assert.equal(parseOpamFile('name: "a"\nopam-version: "2.0"\nopam-version: "2.0"').items.length, 3);
  });

  test('opam-version from 2.1 must come first', () => {
    assert.throws(() => parseOpamFile('name: "a"\nopam-version: "2.1"'), {
      name: 'OpamParseError',
      line: 2,
      column: 1,
      reason: 'opam-version "2.1" must be the first non-comment line',
    });
    // Comments before it are fine.
    assert.equal(parseOpamFile('# header\nopam-version: "2.1"\nname: "a"').items.length, 2);
  });

  test('opam-version from 2.1 cannot be repeated', () => {
    assert.throws(() => parseOpamFile('opam-version: "2.1"\nname: "a"\nopam-version: "2.0"'), {
      name: 'OpamParseError',
      line: 3,
      reason: 'opam-version cannot be repeated',
    });
  });
});

describe('parseOpamValue', () => {
  test('parses one value and rejects trailing input', () => {
    assert.equal(formatValue(parseOpamValue('"ocaml" {>= "4.14"}')), '"ocaml" {>= "4.14"}');
    assert.throws(() => parseOpamValue('a ]'), { reason: 'expected end of input after the value, found "]"' });
  });
});
