import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fetchLocalSource, sourceKey, SourceError } from '../../../runner/source/fetch-source.ts';
import type { Job } from '../../../lib/contract/index.ts';
import { SourceCache, type FetchResult, type SourceCacheOptions } from '../../../runner/source/source-cache.ts';
import { gitRepo } from '../../support/runner-harness.ts';

/** A cache whose fetches and reuses are recorded from its own events. */
function cacheWith(o: Partial<SourceCacheOptions> = {}) {
  const events: FetchResult[] = [];
  const evicted: string[] = [];
  const cache = new SourceCache({
    dir: join(mkdtempSync(join(tmpdir(), 'cid-sources-')), 'runner-1'),
    maxEntries: 16,
    maxBytes: 0,
    onFetch: (r) => events.push(r),
    onEvict: (e) => evicted.push(e.key),
    ...o,
  });
  const count = (r: FetchResult) => events.filter((e) => e === r).length;
  return { cache, events, evicted, count };
}

const local = (src: { path: string; sha: string }) => (dir: string) => fetchLocalSource(src.path, src.sha, dir);

test('two jobs of one commit, one after the other: one fetch, the second reuses the tree', async () => {
  const src = gitRepo({ 'a.txt': 'a', 'dir/b.txt': 'b' });
  const { cache, count } = cacheWith();
  const first = await cache.acquire(src.sha, local(src));
  await first.release();
  const second = await cache.acquire(src.sha, local(src));
  assert.equal(count('fetched'), 1);
  assert.equal(count('reused'), 1);
  assert.equal(first.reused, false);
  assert.equal(second.reused, true);
  assert.equal(second.dir, first.dir);
  assert.equal(readFileSync(join(second.dir, 'dir/b.txt'), 'utf8'), 'b');
  await second.release();
});

test('jobs of one commit starting together share the fetch under way (single flight)', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 500; i++) files[`src/f${i}.ml`] = `let x = ${i}\n`;
  const src = gitRepo(files);
  const { cache, count } = cacheWith();
  let fetches = 0;
  const leases = await Promise.all(
    Array.from({ length: 4 }, () =>
      cache.acquire(src.sha, (dir) => {
        fetches++;
        return fetchLocalSource(src.path, src.sha, dir);
      }),
    ),
  );
  assert.equal(fetches, 1, 'git archive ran once');
  assert.equal(count('fetched'), 1);
  assert.equal(count('reused'), 3);
  assert.equal(new Set(leases.map((l) => l.dir)).size, 1);
  for (const l of leases) assert.equal(readFileSync(join(l.dir, 'src/f499.ml'), 'utf8'), 'let x = 499\n');
  await Promise.all(leases.map((l) => l.release()));
});

test('a failed fetch is not kept: the next job of the commit fetches again and gets the source', async () => {
  const src = gitRepo({ 'a.txt': 'a' });
  const away = `${src.path}-away`;
  renameSync(src.path, away);
  const { cache, count } = cacheWith();
  // Both jobs wait on the one fetch and both see it fail.
  const failed = await Promise.allSettled([cache.acquire(src.sha, local(src)), cache.acquire(src.sha, local(src))]);
  for (const f of failed) assert.ok(f.status === 'rejected' && f.reason instanceof SourceError, String(f.status));
  assert.equal(count('failed'), 1);
  assert.deepEqual(cache.usage, { entries: 0, bytes: 0 }, 'nothing is kept of the failed fetch');
  renameSync(away, src.path);
  const lease = await cache.acquire(src.sha, local(src));
  assert.equal(lease.reused, false);
  assert.equal(count('fetched'), 1);
  assert.equal(readFileSync(join(lease.dir, 'a.txt'), 'utf8'), 'a');
  await lease.release();
});

test('a kept tree is read-only: files and directories have no write bits', async () => {
  const src = gitRepo({ 'a.txt': 'a', 'bin/run.sh': '#!/bin/sh\n' });
  const { cache } = cacheWith();
  const lease = await cache.acquire(src.sha, local(src));
  for (const p of ['', 'a.txt', 'bin', 'bin/run.sh']) {
    assert.equal(lstatSync(join(lease.dir, p)).mode & 0o222, 0, `${p || '.'} is not writable`);
  }
  if (process.getuid?.() !== 0) assert.throws(() => writeFileSync(join(lease.dir, 'a.txt'), 'changed'), /EACCES/);
  await lease.release();
});

test('beyond maxEntries the least recently used tree no job holds is removed; held trees stay', async () => {
  const [a, b, c, d] = [gitRepo({ a: 'a' }), gitRepo({ b: 'b' }), gitRepo({ c: 'c' }), gitRepo({ d: 'd' })] as const;
  const { cache, evicted } = cacheWith({ maxEntries: 2 });
  const held = await cache.acquire(a.sha, local(a));
  const lb = await cache.acquire(b.sha, local(b));
  await lb.release();
  const lc = await cache.acquire(c.sha, local(c));
  await lc.release();
  // Three trees, the limit two: b is the only one free and the oldest.
  assert.deepEqual(evicted, [b.sha]);
  assert.equal(existsSync(lb.dir), false);
  assert.equal(existsSync(held.dir), true, 'a tree in use is never removed');
  const ld = await cache.acquire(d.sha, local(d));
  await ld.release();
  assert.deepEqual(evicted, [b.sha, c.sha]);
  await held.release();
  assert.deepEqual(evicted, [b.sha, c.sha], 'within the limit again: a stays for its next job');
  assert.equal(existsSync(held.dir), true);
  assert.equal(cache.usage.entries, 2);
});

test('beyond maxBytes trees are removed, least recently used first', async () => {
  const big = (n: string) => gitRepo({ [`${n}.bin`]: n.repeat(300 * 1024) });
  const [a, b] = [big('a'), big('b')];
  const { cache, evicted } = cacheWith({ maxBytes: 400 * 1024 });
  await (await cache.acquire(a.sha, local(a))).release();
  assert.ok(cache.usage.bytes >= 300 * 1024, `the tree's size is counted (${cache.usage.bytes})`);
  await (await cache.acquire(b.sha, local(b))).release();
  assert.deepEqual(evicted, [a.sha]);
  assert.equal(cache.usage.entries, 1);
});

test('with maxEntries 0 every job fetches its own tree, removed when it ends', async () => {
  const src = gitRepo({ 'a.txt': 'a' });
  const { cache, count } = cacheWith({ maxEntries: 0 });
  const [l1, l2] = await Promise.all([cache.acquire(src.sha, local(src)), cache.acquire(src.sha, local(src))]);
  assert.equal(count('fetched'), 2);
  assert.notEqual(l1.dir, l2.dir);
  await l1.release();
  await l2.release();
  assert.equal(existsSync(l1.dir), false);
  assert.equal(existsSync(l2.dir), false);
});

test("leftovers of a previous run in the runner's directory are removed before the first fetch", async () => {
  const [a, b] = [gitRepo({ a: 'a' }), gitRepo({ b: 'b' })];
  const { cache } = cacheWith();
  const old = await cache.acquire(a.sha, local(a));
  const root = join(old.dir, '..');
  writeFileSync(join(root, 'leftover'), 'x');
  // A runner restarted with the same directory: its predecessor's (read-only) tree goes too.
  const { cache: again } = cacheWith({ dir: root });
  const lease = await again.acquire(b.sha, local(b));
  assert.deepEqual(readdirSync(root), [basename(lease.dir)]);
  await lease.release();
});

test("the cache key is the source's content: origin, commit and merge base, never the job or its token", () => {
  const sha = 'a'.repeat(40);
  const base = 'b'.repeat(40);
  const gh = { kind: 'github' as const, repo: 'o/r', sha, cloneUrl: 'https://github.com/o/r.git', fromFork: false };
  const job = (kind: Job['kind'], source: Job['source'], id = 'j1') => ({ id, name: id, kind, repo: 'o/r', sha: source.sha, source }) as Job;
  assert.equal(sourceKey(job('build', gh, 'j1')), sourceKey(job('lint', { ...gh, fromFork: true }, 'j2')), 'jobs of one commit share');
  assert.notEqual(sourceKey(job('build', gh)), sourceKey(job('build', { ...gh, sha: 'c'.repeat(40) })));
  assert.notEqual(sourceKey(job('build', gh)), sourceKey(job('build', { kind: 'local', path: '/r', sha })));
  // An opam-repository build gets the head merged into its base: another tree for every base.
  const merged = sourceKey(job('opam-repo', { ...gh, baseSha: base }));
  assert.notEqual(merged, sourceKey(job('build', gh)));
  assert.notEqual(merged, sourceKey(job('opam-repo', { ...gh, baseSha: 'd'.repeat(40) })));
  assert.equal(sourceKey(job('build', { ...gh, baseSha: base })), sourceKey(job('build', gh)), 'other jobs build the head as it is');
});
