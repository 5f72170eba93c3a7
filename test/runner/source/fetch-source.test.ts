import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchLocalSource, SourceError } from '../../../runner/source/fetch-source.ts';
import { gitRepo } from '../../support/runner-harness.ts';

const big = 'x'.repeat(3 * 1024 * 1024);

test('a local commit is extracted exactly as committed', async () => {
  const src = gitRepo({ 'a.txt': 'a', 'dir/b.txt': 'b', 'big.bin': big });
  const dir = mkdtempSync(join(tmpdir(), 'cid-fetch-'));
  await fetchLocalSource(src.path, src.sha, dir);
  assert.deepEqual(readdirSync(dir).filter((f) => f !== '.nonce').sort(), ['a.txt', 'big.bin', 'dir']);
  assert.equal(readFileSync(join(dir, 'dir/b.txt'), 'utf8'), 'b');
  assert.equal(readFileSync(join(dir, 'big.bin'), 'utf8').length, big.length);
});

test("a failing extraction reports tar's own error, not just the broken pipe it causes", async () => {
  const src = gitRepo({ 'big.bin': big });
  const missing = join(mkdtempSync(join(tmpdir(), 'cid-fetch-')), 'no-such-dir');
  await assert.rejects(fetchLocalSource(src.path, src.sha, missing), (err: Error) => {
    assert.ok(err instanceof SourceError);
    assert.match(err.message, /tar -x -C .*exited with 2: .*no-such-dir/s);
    assert.doesNotMatch(err.message, /Premature close/);
    return true;
  });
});

test('an unknown commit says git archive failed', async () => {
  const src = gitRepo({ 'a.txt': 'a' });
  const dir = mkdtempSync(join(tmpdir(), 'cid-fetch-'));
  await assert.rejects(fetchLocalSource(src.path, 'f'.repeat(40), dir), (err: Error) => {
    assert.ok(err instanceof SourceError);
    assert.match(err.message, /git archive f{40} in .* failed: .*/s);
    return true;
  });
});
