import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainProgress, renderBlock, ttyProgress } from '../../../local/local-mode/progress.ts';
import { T0, job, snap } from './snapshots.ts';

test('plain progress: one line per state change, durations and reasons once a job has ended', () => {
  const lines: string[] = [];
  const view = plainProgress((l) => lines.push(l));
  const analysis = job('(analysis)', 'running', { kind: 'analysis' });
  view.update(snap([analysis], 'running'));
  view.update(snap([analysis], 'running'));
  view.update(snap([job('(analysis)', 'passed', { kind: 'analysis' }), job('a', 'queued'), job('b', 'queued', { experimental: true })], 'running'));
  view.update(snap([job('(analysis)', 'passed', { kind: 'analysis' }), job('a', 'failed', { reason: 'step 4\nexited with 1' }), job('b', 'skipped', { experimental: true, reason: 'not run locally' })], 'failed'));
  view.end(snap([job('(analysis)', 'passed', { kind: 'analysis' }), job('a', 'failed', { reason: 'step 4\nexited with 1' }), job('b', 'skipped', { experimental: true, reason: 'not run locally' })], 'failed'));
  assert.deepEqual(lines, [
    'running   (analysis)',
    'passed    (analysis) in 12s',
    'queued    a',
    'queued    b (experimental)',
    'failed    a in 12s: step 4 exited with 1',
    'skipped   b (experimental): not run locally',
  ]);
});

test('plain progress: a rebuilt job (new generation) is shown again even in the same state', () => {
  const lines: string[] = [];
  const view = plainProgress((l) => lines.push(l));
  view.update(snap([job('a', 'queued')], 'running'));
  view.update(snap([job('a', 'queued', { generation: 2 })], 'running'));
  assert.equal(lines.length, 2);
});

const size = { columns: 60, rows: 20 };
const paint = (s: string) => `<${s}>`;

test('TTY progress: the block is redrawn in place (cursor up over the last drawing, clear below), only when it changed', () => {
  const writes: string[] = [];
  const view = ttyProgress((t) => writes.push(t), { paint, size: () => size, now: () => T0 + 5000 });
  view.update(snap([job('(analysis)', 'running', { kind: 'analysis' })], 'running'));
  view.update(snap([job('(analysis)', 'running', { kind: 'analysis' })], 'running'));
  view.update(snap([job('(analysis)', 'passed', { kind: 'analysis' }), job('a', 'queued'), job('b', 'running')], 'running'));
  assert.equal(writes.length, 2, 'an unchanged block is not drawn again');
  assert.doesNotMatch(writes[0]!, /\x1b\[/, 'nothing to move over the first time');
  assert.deepEqual(writes[0]!.split('\n'), ['local/proj @ abcdef012345: running (5s)', '  <running>  (analysis)  4s']);
  assert.ok(writes[1]!.startsWith('\x1b[2F\x1b[0J'), JSON.stringify(writes[1]));
  const second = writes[1]!.slice('\x1b[2F\x1b[0J'.length).split('\n');
  assert.equal(second.length, 4);
  assert.match(second[1]!, /^ {2}<passed> {3}\(analysis\) {2}12s$/);
  assert.match(second[2]!, /^ {2}<queued> {3}a$/);
  view.end(snap([job('(analysis)', 'passed', { kind: 'analysis' }), job('a', 'passed'), job('b', 'passed')], 'passed'));
  assert.ok(writes[2]!.startsWith('\x1b[4F\x1b[0J'), 'the next redraw goes up over the four lines drawn');
});

test('TTY block fits the terminal: long lines are cut, and jobs beyond the height are counted, running ones kept', () => {
  const reason = 'x'.repeat(200);
  const lines = renderBlock(snap([job('a', 'failed', { reason })], 'failed'), { columns: 40, rows: 20 }, T0);
  assert.ok(lines.every((l) => l.length <= 39), lines.join('\n'));
  assert.ok(lines[1]!.endsWith('…'));

  const many = Array.from({ length: 10 }, (_, i) => job(`p${i}`, 'passed'));
  const block = renderBlock(snap([...many, job('r', 'running')], 'running'), { columns: 80, rows: 6 }, T0 + 5000);
  assert.equal(block.length, 5, 'one line short of the screen, so the redraw never scrolls');
  assert.ok(block.some((l) => /running\s+r\s+4s$/.test(l)), `a running job stays in view, its time counted to now: ${block.join('\n')}`);
  assert.equal(block.at(-1), '  … 8 more: 8 passed');
});

const NO_IMAGE = 'image ocaml/opam:debian-13-ocaml-5.4 (linux/amd64) is unavailable: not found locally, and pulling it failed: (HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host ';

test('plain progress with -j 1: a job that ended is told before the next one that started, even when it comes later in the list', () => {
  const lines: string[] = [];
  const view = plainProgress((l) => lines.push(l));
  view.update(snap([job('a', 'queued'), job('b', 'running')], 'running'));
  // Between two polls b ended and a started: the runner took a only once b was done.
  view.update(snap([job('a', 'running'), job('b', 'errored', { reason: NO_IMAGE })], 'running'));
  view.update(snap([job('a', 'errored', { reason: NO_IMAGE.replace('5.4', '4.14') }), job('b', 'errored', { reason: NO_IMAGE })], 'failed'));
  assert.deepEqual(lines, [
    'running   b',
    'queued    a',
    'errored   b in 12s: image ocaml/opam:debian-13-ocaml-5.4 is unavailable',
    'running   a',
    'errored   a in 12s: image ocaml/opam:debian-13-ocaml-4.14 is unavailable',
  ]);
});

test('progress never repeats the registry error: a long reason is cut to one short line, without a trailing space', () => {
  const lines: string[] = [];
  plainProgress((l) => lines.push(l)).update(snap([job('a', 'failed', { reason: `step 4 exited with 1 ${'and more '.repeat(40)}\n` })], 'failed'));
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.length < 150, lines[0]);
  assert.ok(lines[0]!.endsWith('…'), lines[0]);
  const block = renderBlock(snap([job('b', 'errored', { reason: NO_IMAGE })], 'failed'), { columns: 200, rows: 20 }, T0);
  assert.match(block[1]!, /errored\s+b\s+12s\s+image ocaml\/opam:debian-13-ocaml-5\.4 is unavailable$/);
  assert.doesNotMatch(block.join('\n'), /registry-1|HTTP code/);
});
