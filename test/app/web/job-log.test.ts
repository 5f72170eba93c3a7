import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { logIdFor, MAX_LOG_CHUNK_BYTES } from '../../../app/store/index.ts';
import { seedCommit } from './support.ts';

// A big log must flow through the server, never sit in it: the server reads the store only as
// fast as the client takes the response.
let h: Harness;
const INST = 3131;
const REPO = 'streams/alpha';
const CHUNKS = 384; // 24 MiB
let base = '';
let expectedHash = '';
let served = 0;
let readEnded: (() => void) | undefined;
/** Resolves when the server's next counted read of the log ends. */
const nextReadEnd = () => new Promise<void>((resolve) => (readEnded = resolve));

before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'streams', repositories: [REPO] });
  const s = await seedCommit(h, { repo: REPO, installationId: INST, jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'running', log: [] }] });
  const job = s.jobs.get('debian-12-5.3_opam-2.3');
  assert.ok(job);
  const line = `2026-01-01 00:00.00: ${'y'.repeat(100)}\n`;
  const text = line.repeat(Math.floor(MAX_LOG_CHUNK_BYTES / line.length));
  const hash = createHash('sha256');
  for (let seq = 0; seq < CHUNKS; seq++) {
    const t = text.replace('y', String(seq % 10));
    hash.update(t);
    await h.cp.svc.store.logs.append(logIdFor(job.id, job.generation, job.attempt), seq, t);
  }
  expectedHash = hash.digest('hex');
  base = `/github/${REPO}/commit/${s.sha}/variant/debian-12-5.3_opam-2.3`;
  // Count what the server reads, by wrapping the real store's reader (the reads still go to the store).
  const logs = h.cp.svc.store.logs;
  const read = logs.read.bind(logs);
  logs.read = async function* (...args: Parameters<typeof read>) {
    // One-chunk reads only probe whether a run left a log.
    const counted = args[2] !== 1;
    try {
      for await (const c of read(...args)) {
        if (counted) served++;
        yield c;
      }
    } finally {
      // The server is done with this read, whether it took every chunk or let go early.
      if (counted) readEnded?.();
    }
  };
});
after(() => h.stop());

test('a 24 MiB raw log: the server reads ahead only a little while the client waits', async (t) => {
  served = 0;
  const res = await fetch(`${h.cp.url}${base}/raw?ansi=1`);
  assert.equal(res.status, 200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  assert.ok(first.value && first.value.length > 0);
  await new Promise((r) => setTimeout(r, 500));
  const readAhead = served;
  t.diagnostic(`read ahead while the client waited: ${readAhead} of ${CHUNKS} chunks`);
  assert.ok(readAhead < CHUNKS / 2, `the server read ${readAhead} of ${CHUNKS} chunks while the client waited`);

  const hash = createHash('sha256').update(first.value);
  let bytes = first.value.length;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    hash.update(r.value);
    bytes += r.value.length;
  }
  assert.equal(bytes, CHUNKS * Math.floor(MAX_LOG_CHUNK_BYTES / 122) * 122);
  assert.equal(hash.digest('hex'), expectedHash, 'every byte, in order');
  assert.equal(served, CHUNKS);
});

test('a client that goes away stops the server reading', async () => {
  served = 0;
  const ended = nextReadEnd();
  const ac = new AbortController();
  const res = await fetch(`${h.cp.url}${base}/raw`, { signal: ac.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  ac.abort();
  await reader.read().catch(() => undefined);
  // The server lets go of the store's reader (a server that read on would end it only after the last chunk).
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the server never let go of the log reader')), 30_000)));
  await Promise.race([ended, stuck]).finally(() => clearTimeout(timer));
  assert.ok(served < CHUNKS, `stopped after ${served} of ${CHUNKS} chunks`);
});

test('the HTML page of the same log streams too: the head arrives while most of the log is unread', async () => {
  served = 0;
  const res = await fetch(`${h.cp.url}${base}`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /<!doctype html>/);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(served < CHUNKS / 2, `read ${served} chunks before the client asked for more`);
  await reader.cancel();
});
