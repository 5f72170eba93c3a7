import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipCiMarker } from '../../../app/webhooks/skip-ci.ts';

test('each marker anywhere in the message skips, whatever its case, and is named as written', () => {
  assert.equal(skipCiMarker('Update README [skip ci]'), '[skip ci]');
  assert.equal(skipCiMarker('[ci skip] typo'), '[ci skip]');
  assert.equal(skipCiMarker('Docs\n\nNothing to build here [no ci].'), '[no ci]');
  assert.equal(skipCiMarker('wip [skip cid]'), '[skip cid]');
  assert.equal(skipCiMarker('wip [cid skip]'), '[cid skip]');
  assert.equal(skipCiMarker('Bump [SKIP CI]'), '[SKIP CI]');
  assert.equal(skipCiMarker('Bump [Ci Skip]'), '[Ci Skip]');
});

test('the skip-checks: true trailer skips, only in the last paragraph after a subject', () => {
  assert.equal(skipCiMarker('Update docs\n\nskip-checks: true'), 'skip-checks: true');
  assert.equal(skipCiMarker('Update docs\n\nLonger text.\n\nSigned-off-by: A <a@example.org>\nskip-checks:true\n'), 'skip-checks:true');
  assert.equal(skipCiMarker('Update docs\r\n\r\nSkip-Checks: TRUE  \r\n'), 'Skip-Checks: TRUE');
  assert.equal(skipCiMarker('Update docs\n\n\nskip-checks: true'), 'skip-checks: true');
  // Not a trailer: the subject itself, a paragraph that is not the last, another value, inline text.
  assert.equal(skipCiMarker('skip-checks: true'), undefined);
  assert.equal(skipCiMarker('Update\n\nskip-checks: true\n\nMore text'), undefined);
  assert.equal(skipCiMarker('Update\n\nskip-checks: false'), undefined);
  assert.equal(skipCiMarker('Update\n\nWe could say skip-checks: true here'), undefined);
});

test('ordinary messages, near misses and missing messages build', () => {
  for (const m of [
    'Fix the build',
    'skip ci',
    '[skip-ci]',
    '[skipci]',
    '[skip  ci]',
    '(skip ci)',
    '[ci]',
    '[skip actions]',
    '',
  ]) {
    assert.equal(skipCiMarker(m), undefined, JSON.stringify(m));
  }
  assert.equal(skipCiMarker(null), undefined);
  assert.equal(skipCiMarker(undefined), undefined);
});
