import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRelOp, compareVersions, negateRelOp, versionSatisfies } from '../../../lib/opam/index.ts';
import type { RelOp } from '../../../lib/opam/index.ts';

describe('compareVersions (opam/Debian order)', () => {
  // Each pair: a < b, as opam's documentation and OpamVersionCompare define it.
  const less: [string, string, string][] = [
    ['1.0~beta', '1.0', '~ sorts before the end of the string'],
    ['1.0~alpha', '1.0~beta', 'letters compare lexically after ~'],
    ['1.0~~', '1.0~', 'more tildes sort earlier'],
    ['~~', '~', 'double tilde before tilde'],
    ['~', '', 'tilde before the empty version'],
    ['4.08~~', '4.08~alpha1', '~ before letters'],
    ['4.08~alpha1', '4.08.0', '~ before a dot'],
    ['1.0', '1.0.1', 'a longer version is greater'],
    ['1.0', '1.0.0', 'even when the extra part is zero, a separator makes it greater'],
    ['1.2', '1.10', 'digits compare numerically'],
    ['1.9', '1.10', 'digits compare numerically'],
    ['1.0.9', '1.0.10', 'digits compare numerically'],
    ['2', '10', 'digits compare numerically'],
    ['a', 'b', 'letters compare lexically'],
    ['A', 'a', 'upper case before lower case (by code)'],
    ['1.0a', '1.0b', 'letters compare lexically'],
    ['1.0', '1.0a', 'end of string before letters'],
    ['1.0a', '1.0.0', 'letters before non-letters'],
    ['1.0z', '1.0+a', 'letters before non-letters'],
    ['1.0+a', '1.0.a', 'non-letters compare by code'],
    ['1.0', '1.0+dev', 'end of string before non-letters'],
    ['1.0', 'v1.0', 'a non-digit prefix is greater than a digit'],
    ['1.0-1', '1.0-2', 'revisions compare when upstream ties'],
    ['1.0-2', '1.0-10', 'revisions compare numerically'],
    ['1.0-10', '1.0.1', 'upstream part first'],
    ['5.2.1~', '5.2.1', 'the usual "from this release on" bound'],
    ['5.2.1', '5.2.2~', 'the usual "before the next release" bound'],
    ['0.9.99', '1.0', 'major first'],
    ['20200101', '20201231', 'date versions'],
  ];
  for (const [a, b, why] of less) {
    test(`${JSON.stringify(a)} < ${JSON.stringify(b)} (${why})`, () => {
      assert.equal(compareVersions(a, b), -1);
      assert.equal(compareVersions(b, a), 1);
    });
  }

  const equal: [string, string][] = [
    ['1.0', '1.0'],
    ['1.0', '1.00'],
    ['01', '1'],
    ['1.000', '1.0'],
    ['', '0'],
    ['1.0-0', '1.0'],
  ];
  for (const [a, b] of equal) {
    test(`${JSON.stringify(a)} = ${JSON.stringify(b)}`, () => {
      assert.equal(compareVersions(a, b), 0);
      assert.equal(compareVersions(b, a), 0);
    });
  }

  test('sorting a shuffled chain restores it (order is total and transitive on it)', () => {
    const chain = [
      '~~',
      '~~a',
      '~',
      '',
      '0.1',
      '0.9.99',
      '1.0~alpha',
      '1.0~beta',
      '1.0~beta2',
      '1.0~rc1',
      '1.0',
      '1.0-1',
      '1.0-2',
      '1.0-10',
      '1.0a',
      '1.0b',
      '1.0+dev',
      '1.0.0',
      '1.0.1',
      '1.2',
      '1.10',
      '1.10.1',
      '2.0~',
      '2.0',
      'v1',
    ];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        const want = Math.sign(i - j);
        assert.equal(compareVersions(chain[i] ?? '', chain[j] ?? ''), want, `${chain[i]} vs ${chain[j]}`);
      }
    }
    // Fisher-Yates with a fixed LCG seed, so a failure reproduces.
    const shuffled = [...chain];
    let seed = 12345;
    for (let i = shuffled.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j] ?? '', shuffled[i] ?? ''];
    }
    assert.notDeepEqual(shuffled, chain);
    assert.deepEqual(shuffled.sort(compareVersions), chain);
  });
});

describe('relational operators on versions', () => {
  const table: [string, RelOp, string, boolean][] = [
    ['4.14.1', '>=', '4.08', true],
    ['4.07.1', '>=', '4.08', false],
    ['4.08.0', '>=', '4.08', true],
    ['5.0.0~alpha1', '<', '5.0.0', true],
    ['5.0.0', '<', '5.0.0', false],
    ['5.0.0', '<=', '5.0.0', true],
    ['5.0.1', '>', '5.0.0', true],
    ['5.0.0', '>', '5.0.0', false],
    ['1.0', '=', '1.00', true],
    ['1.0', '!=', '1.00', false],
    ['1.0', '!=', '1.0.0', true],
  ];
  for (const [v, op, bound, want] of table) {
    test(`${v} ${op} ${bound} is ${want}`, () => assert.equal(versionSatisfies(v, op, bound), want));
  }

  test('negateRelOp gives the complement for every comparison result', () => {
    const ops: RelOp[] = ['=', '!=', '<', '<=', '>', '>='];
    for (const op of ops) {
      for (const c of [-1, 0, 1]) assert.equal(checkRelOp(negateRelOp(op), c), !checkRelOp(op, c), `${op} ${c}`);
    }
  });
});
