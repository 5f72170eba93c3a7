import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepLogStore } from '../../../runner/docker/log-store.ts';

const KEY = 'a'.repeat(64);

describe('StepLogStore', () => {
  it('keeps a committed log for replay and nothing of a discarded one', async () => {
    const store = new StepLogStore(await mkdtemp(join(tmpdir(), 'cid-logs-')));
    const w = await store.writer(KEY);
    w.write('line 1\n');
    w.write('line 2\n');
    assert.equal(await store.has(KEY), false, 'not visible before commit');
    await w.commit();
    const got: string[] = [];
    assert.equal(await store.replay(KEY, (t) => got.push(t)), true);
    assert.equal(got.join(''), 'line 1\nline 2\n');

    const other = 'b'.repeat(64);
    const d = await store.writer(other);
    d.write('failed step\n');
    await d.discard();
    assert.equal(await store.has(other), false);
    assert.equal(await store.replay(other, () => assert.fail('nothing to replay')), false);
    assert.deepEqual(await readdir(store.dir), [`${KEY}.log`], 'no temporary files left');
    assert.deepEqual(await store.keys(), [KEY]);
  });

  it('caps what it keeps and says so', async () => {
    const store = new StepLogStore(await mkdtemp(join(tmpdir(), 'cid-logs-')), 10);
    const w = await store.writer(KEY);
    w.write('12345\n');
    w.write('67890\n');
    w.write('more\n');
    await w.commit();
    let text = '';
    await store.replay(KEY, (t) => (text += t));
    assert.match(text, /^12345\n\n\[cid: the rest of this step's log was not kept: over 10 bytes\]\n$/);
  });

  it('rejects anything but a key as a file name', () => {
    const store = new StepLogStore('/nonexistent');
    assert.throws(() => store.path('../../etc/passwd'), TypeError);
  });
});
