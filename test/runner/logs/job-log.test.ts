// How a job's log leaves the runner: in order, in requests of at most 16 chunks of at most 64 KiB,
// about once a second or as soon as a request's worth is pending; a failed request is sent again
// with the same seqs; the cap cuts the log once, with a marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LOG_CHUNK_BYTES, MAX_LOG_CHUNKS_PER_REQUEST } from '../../../lib/contract/index.ts';
import { JobLog, type LogChunk } from '../../../runner/logs/job-log.ts';

const joined = (reqs: LogChunk[][]) => reqs.flat().map((c) => c.text).join('');

test('small writes within a second go in one request, when the timer fires', async () => {
  const reqs: LogChunk[][] = [];
  const log = new JobLog(async (c) => void reqs.push(c), 1e9, { flushMs: 50 });
  for (let i = 0; i < 100; i++) log.write(`line ${i}\n`);
  assert.equal(reqs.length, 0, 'nothing sent before the timer');
  await new Promise((r) => setTimeout(r, 120));
  await log.close();
  assert.equal(reqs.length, 1);
  assert.deepEqual(reqs[0]!.map((c) => c.seq), [0]);
  assert.equal(joined(reqs), Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
});

test('a big log: full requests go at once, every chunk ≤ 64 KiB, seqs without gaps, UTF-8 never split', async () => {
  const reqs: LogChunk[][] = [];
  const log = new JobLog(async (c) => void reqs.push(c), 1e9, { flushMs: 60_000 });
  let text = '';
  for (let i = 0; i < 400; i++) {
    const piece = `λ step ${i} 🐫 ${'x'.repeat(7000)}\n`;
    text += piece;
    log.write(piece);
  }
  await new Promise((r) => setImmediate(r));
  assert.ok(reqs.length >= 2, `requests went before the timer (${reqs.length})`);
  await log.close();
  const chunks = reqs.flat();
  assert.deepEqual(chunks.map((c) => c.seq), chunks.map((_, i) => i));
  for (const r of reqs) assert.ok(r.length <= MAX_LOG_CHUNKS_PER_REQUEST);
  for (const c of chunks) assert.ok(Buffer.byteLength(c.text) <= MAX_LOG_CHUNK_BYTES && !c.text.includes('\ufffd'));
  assert.equal(joined(reqs), text);
});

test('two requests are in flight at a time, never more', async () => {
  let inFlight = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const log = new JobLog(
    async () => {
      most = Math.max(most, ++inFlight);
      await new Promise<void>((r) => release.push(r));
      inFlight--;
    },
    1e9,
    { flushMs: 60_000 },
  );
  for (let i = 0; i < 200; i++) log.write(`${'y'.repeat(16_000)}\n`);
  const closed = log.close();
  // Answer the requests as they come, one at a time, until the log is all sent.
  let done = false;
  void closed.then(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    release.shift()?.();
  }
  assert.equal(most, 2);
  assert.ok(log.requests >= 4);
});

test('a failed request is sent again with the same chunks; a refused one (4xx) stops the log, not the job', async () => {
  const sent: LogChunk[][] = [];
  let fail = 2;
  const log = new JobLog(
    async (c) => {
      sent.push(c);
      if (fail-- > 0) throw Object.assign(new Error('503'), { status: 503 });
    },
    1e9,
    { flushMs: 10, retryDelayMs: 5 },
  );
  log.write('hello\n');
  await log.close();
  assert.equal(sent.length, 3);
  assert.deepEqual(sent[0], sent[2], 'the retry carries the same seq and text');

  const refused = new JobLog(async () => Promise.reject(Object.assign(new Error('lease gone'), { status: 409 })), 1e9, { flushMs: 10, retryDelayMs: 5 });
  refused.write('a\n');
  await refused.close();
  assert.equal(refused.requests, 1);
  assert.match(String(refused.error), /lease gone/);
});

test('the cap cuts the log once, with a marker, and the tail and scan text follow what was kept', async () => {
  const reqs: LogChunk[][] = [];
  const log = new JobLog(async (c) => void reqs.push(c), 1000, { flushMs: 10 });
  log.write('a'.repeat(900));
  log.write('b'.repeat(500));
  log.write('c'.repeat(500));
  await log.close();
  const all = joined(reqs);
  assert.equal(all.match(/log truncated/g)?.length, 1);
  assert.ok(all.startsWith('a'.repeat(900) + 'b'.repeat(100) + '\n[cid] log truncated'));
  assert.ok(!all.includes('cc'), 'nothing after the cap');
  assert.match(log.tail(), /log truncated/);
  assert.ok(log.scanText().startsWith('a'.repeat(900)));
});
