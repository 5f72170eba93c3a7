import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sealer, safeEqual } from '../../../app/web/session.ts';

test('a sealed value opens with the same key only, and hides its content', () => {
  const a = new Sealer('k'.repeat(40), 'session');
  const sealed = a.seal({ login: 'octo', token: 'gho_secret' });
  assert.deepEqual(a.unseal(sealed), { login: 'octo', token: 'gho_secret' });
  assert.ok(!Buffer.from(sealed, 'base64url').toString('latin1').includes('gho_secret'));
  assert.equal(new Sealer('other'.repeat(8), 'session').unseal(sealed), undefined);
  assert.equal(new Sealer('k'.repeat(40), 'oauth-state').unseal(sealed), undefined, 'keys differ per purpose');
  assert.notEqual(a.seal({ x: 1 }), a.seal({ x: 1 }), 'a fresh IV each time');
});

test('any change to a sealed value makes it unreadable', () => {
  const s = new Sealer('k'.repeat(40), 'session');
  const sealed = s.seal({ login: 'octo' });
  const bytes = Buffer.from(sealed, 'base64url');
  for (const i of [0, 13, bytes.length - 1]) {
    const copy = Buffer.from(bytes);
    copy[i] = (copy[i] as number) ^ 1;
    assert.equal(s.unseal(copy.toString('base64url')), undefined, `byte ${i}`);
  }
  assert.equal(s.unseal(''), undefined);
  assert.equal(s.unseal('not base64 at all!'), undefined);
});

test('safeEqual compares in constant time and handles different lengths', () => {
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abd'), false);
  assert.equal(safeEqual('abc', 'abcd'), false);
});
