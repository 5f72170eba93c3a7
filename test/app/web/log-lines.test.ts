import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, linesOf, splitTimestamp, type LogPosition } from '../../../app/web/log-lines.ts';
import type { StoredLogChunk } from '../../../app/store/index.ts';

async function* chunks(texts: string[], from = 0): AsyncGenerator<StoredLogChunk> {
  for (let i = from; i < texts.length; i++) yield { seq: i, text: texts[i] as string, at: '2026-01-01T00:00:00Z' };
}

async function collect(texts: string[], start: LogPosition, flush: boolean) {
  const out: { text: string; next: LogPosition }[] = [];
  for await (const l of linesOf(chunks(texts, start.seq), start, flush)) out.push(l);
  return out;
}

test('lines split across chunks are joined; each line says where the next one starts', async () => {
  const texts = ['a\nb', 'c\nd\n', 'e\r\nf'];
  assert.deepEqual(await collect(texts, { seq: 0, offset: 0 }, false), [
    { text: 'a', next: { seq: 0, offset: 2 } },
    { text: 'bc', next: { seq: 1, offset: 2 } },
    { text: 'd', next: { seq: 2, offset: 0 } },
    { text: 'e', next: { seq: 2, offset: 3 } },
  ]);
  const all = await collect(texts, { seq: 0, offset: 0 }, true);
  assert.deepEqual(all.at(-1), { text: 'f', next: { seq: 3, offset: 0 } });
});

test('reading again from any position gives the rest of the log, and nothing twice', async () => {
  const texts = ['l1\nl2\nl', '3\nl4', '\nl5\n'];
  const whole = (await collect(texts, { seq: 0, offset: 0 }, true)).map((l) => l.text);
  assert.deepEqual(whole, ['l1', 'l2', 'l3', 'l4', 'l5']);
  const lines = await collect(texts, { seq: 0, offset: 0 }, true);
  for (let i = 0; i < lines.length; i++) {
    const rest = (await collect(texts, (lines[i] as { next: LogPosition }).next, true)).map((l) => l.text);
    assert.deepEqual(rest, whole.slice(i + 1), `after line ${i + 1}`);
  }
});

test('a position past the end of its chunk or at a chunk that no longer exists is harmless', async () => {
  assert.deepEqual((await collect(['x\n'], { seq: 0, offset: 99 }, true)).map((l) => l.text), []);
  assert.deepEqual((await collect(['x\n', 'y\n'], { seq: 1, offset: 0 }, true)).map((l) => l.text), ['y']);
});

test('timestamps are split from the text; other lines keep all their text', () => {
  assert.deepEqual(splitTimestamp('2023-09-12 11:12.42: hello: world'), { date: '2023-09-12', time: '11:12.42', text: 'hello: world' });
  assert.deepEqual(splitTimestamp('2023-09-12 11:12.42:'), { date: '2023-09-12', time: '11:12.42', text: '' });
  assert.deepEqual(splitTimestamp('no stamp 2023-09-12 11:12.42: x'), { text: 'no stamp 2023-09-12 11:12.42: x' });
});

test('a splitter stops when asked, reporting where the next line starts', () => {
  const s = new LineSplitter({ seq: 0, offset: 0 });
  const seen: [string, number, number][] = [];
  const more = s.feed({ seq: 0, text: 'a\nb\nc\n', at: '' }, (text, seq, offset) => {
    seen.push([text, seq, offset]);
    return seen.length < 2;
  });
  assert.equal(more, false);
  assert.deepEqual(seen, [['a', 0, 2], ['b', 0, 4]]);
  const t = new LineSplitter({ seq: 3, offset: 0 });
  const out: string[] = [];
  t.feed({ seq: 3, text: 'x\ny', at: '' }, (text) => void out.push(text));
  t.flush((text, seq, offset) => void out.push(`${text}@${seq}.${offset}`));
  assert.deepEqual(out, ['x', 'y@4.0']);
});
