import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { pino } from 'pino';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { Sandbox, nonce, shell } from './harness.ts';
import { CACHE_REPO, cacheUsage, leaseStep, lookupStep, pruneCache, useCacheRepo } from '../../../runner/docker/index.ts';
import { CachePruner } from '../../../runner/worker/cache-pruner.ts';
import { createRunnerMetrics } from '../../../runner/metrics/index.ts';

// Pruning works on a whole cache repository: this file has one of its own, emptied before each
// test and at the end.
useCacheRepo('cid-test-cache-prune');

const engine = await ensureDocker();
const MiB = 1024 * 1024;

describe('pruneCache: age, size budget, least recently used first', { skip: engine.skip, timeout: 600_000 }, () => {
  const { docker } = engine;
  const box = new Sandbox(docker);
  const containers: string[] = [];
  let image = '';

  /** Removes every image of the test's cache repository (children before the parents they keep). */
  const emptyRepo = async (): Promise<void> => {
    for (let round = 0; round < 5; round++) {
      const list = await docker.listImages({ filters: { reference: [CACHE_REPO] } });
      if (list.length === 0) return;
      for (const img of list.sort((a, b) => b.Created - a.Created)) {
        for (const tag of img.RepoTags ?? []) {
          if (tag.startsWith(`${CACHE_REPO}:`)) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
        }
      }
    }
  };

  /** A one-step job writing `mib` MiB: its cached image adds that much to the disk. */
  const writer = (name: string, mib: number, n: string) => ({
    from: image,
    steps: [shell(`dd if=/dev/zero of=/${name} bs=1048576 count=${mib} 2>/dev/null; echo ${name}-${n}`)],
  });
  const build = async (spec: ReturnType<typeof writer>): Promise<string[]> => {
    const run = await box.run(spec);
    assert.equal(run.result.status, 'passed', run.log);
    return run.result.steps.map((s) => s.key);
  };
  const costOf = async (key: string): Promise<number> => {
    const usage = await cacheUsage({ docker, logStore: box.logStore });
    const img = usage.images.find((i) => i.keys.includes(key));
    assert.ok(img, `${key} is in the cache`);
    return img.bytes;
  };

  before(async () => {
    assert.equal(CACHE_REPO, 'cid-test-cache-prune');
    image = await busyboxImage('amd64', docker);
    await emptyRepo();
  });
  beforeEach(emptyRepo);
  afterEach(async () => {
    for (const id of containers.splice(0)) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  });
  after(async () => {
    await emptyRepo();
    await box.cleanup();
  });

  it('counts what each step adds to the disk, evicts least recently used first and keeps the one just used', async () => {
    const n = nonce();
    const [a] = await build(writer('a', 3, n));
    const [b] = await build(writer('b', 1, n));
    const [c] = await build(writer('c', 2, n));
    // A hit refreshes a's last use: b, then c, are now the least recently used.
    const again = await box.run(writer('a', 3, n));
    assert.deepEqual(
      again.result.steps.map((s) => s.cached),
      [true],
    );

    const usage = await cacheUsage({ docker, logStore: box.logStore });
    assert.equal(usage.entries, 3);
    const [ca, cb, cc] = [await costOf(a!), await costOf(b!), await costOf(c!)];
    // On vfs a step costs its whole image (a full copy), elsewhere its own layer; either way the
    // differences are the files written, and the base image is not the cache's.
    const near = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) < MiB / 4, `${what}: ${x} vs ${y}`);
    near(ca - cb, 2 * MiB, 'a (3 MiB) against b (1 MiB)');
    near(cc - cb, 1 * MiB, 'c (2 MiB) against b (1 MiB)');
    if (usage.driver === 'vfs') {
      const size = (await docker.getImage(`${CACHE_REPO}:${b}`).inspect()).Size;
      assert.equal(cb, size, 'vfs: a committed step is a full copy of its image');
    } else {
      near(cb, MiB, 'layered driver: a step costs its own layer');
    }
    assert.equal(usage.bytes, ca + cb + cc);

    // Unlimited (0 or absent) and no age limit: nothing goes.
    for (const opts of [{ maxBytes: 0 }, {}, { maxBytes: 0, olderThanMs: 0 }]) {
      const r = await pruneCache({ docker, logStore: box.logStore, ...opts });
      assert.deepEqual(r.evicted, [], JSON.stringify(opts));
      assert.equal(r.bytes, usage.bytes);
      assert.equal(r.entries, 3);
    }

    // Room for a only, the largest but most recently used: b then c go, in that order.
    const r = await pruneCache({ docker, logStore: box.logStore, maxBytes: ca + 1024, olderThanMs: 24 * 3600_000 });
    assert.deepEqual(
      r.evicted.map((e) => [e.key, e.reason, e.bytes]),
      [
        [b, 'size', cb],
        [c, 'size', cc],
      ],
    );
    assert.equal(r.freedBytes, cb + cc);
    assert.equal(r.bytes, ca);
    assert.equal(r.entries, 1);
    assert.ok(await lookupStep(docker, a!), 'the step used last is kept');
    assert.equal(await lookupStep(docker, b!), undefined);
    assert.equal(await lookupStep(docker, c!), undefined);
    assert.equal(await box.logStore.has(b!), false, 'replay logs go with their steps');
    assert.equal(await box.logStore.has(a!), true);
  });

  it('frees a later step before the one it builds on, then the parent once it is a leaf', async () => {
    const n = nonce();
    const spec = { from: image, steps: [...writer('p', 1, n).steps, ...writer('q', 1, n).steps] };
    const [p, q] = await build(spec);
    // p's last use is older than q's, but q keeps p's image on disk: removing p first frees nothing.
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(box.logStore.path(p!), old, old);
    const [cp, cq] = [await costOf(p!), await costOf(q!)];

    const one = await pruneCache({ docker, logStore: box.logStore, maxBytes: cp + cq - 1 });
    assert.deepEqual(
      one.evicted.map((e) => [e.key, e.bytes]),
      [[q, cq]],
    );
    assert.ok(await lookupStep(docker, p!));
    const rerun = await box.run(spec);
    assert.deepEqual(
      rerun.result.steps.map((s) => s.cached),
      [true, false],
    );

    const all = await pruneCache({ docker, logStore: box.logStore, maxBytes: 1 });
    assert.deepEqual(all.evicted.map((e) => e.key), [q, p], 'the child first, then its parent');
    assert.equal(all.bytes, 0);
    assert.equal(all.entries, 0);
  });

  it('keeps what is in use: a running container started from a step, a step leased by a running build', async () => {
    const n = nonce();
    const [x] = await build(writer('x', 1, n));
    const [y] = await build(writer('y', 1, n));
    const [z] = await build(writer('z', 1, n));
    const container = await docker.createContainer({
      Image: `${CACHE_REPO}:${x}`,
      Cmd: ['sleep', '600'],
      name: `cid-test-prune-${n}`,
      HostConfig: { NetworkMode: 'none' },
    });
    containers.push(container.id);
    await container.start();
    const release = await leaseStep(y!);

    // x is past the age limit too: Docker refuses to remove it, and that is not an error.
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(box.logStore.path(x!), old, old);
    const r = await pruneCache({ docker, logStore: box.logStore, maxBytes: 1, olderThanMs: 24 * 3600_000 });
    assert.deepEqual(r.evicted.map((e) => e.key), [z]);
    assert.deepEqual(new Set(r.inUse), new Set([x, y]));
    assert.ok(await lookupStep(docker, x!), 'the running container keeps its image');
    assert.ok(await lookupStep(docker, y!), 'the leased step stays');
    assert.ok(r.bytes > 1, 'over budget, but nothing else may go');

    release();
    const afterRelease = await pruneCache({ docker, logStore: box.logStore, maxBytes: 1 });
    assert.deepEqual(afterRelease.evicted.map((e) => e.key), [y]);
    await container.remove({ force: true });
    const afterStop = await pruneCache({ docker, logStore: box.logStore, maxBytes: 1 });
    assert.deepEqual(afterStop.evicted.map((e) => e.key), [x]);
  });

  it('the runner prunes at start and on its interval, logging what went and exporting metrics', async () => {
    const n = nonce();
    const [s1] = await build(writer('s1', 1, n));
    const [s2] = await build(writer('s2', 2, n));
    const cost = (await costOf(s1!)) + (await costOf(s2!));
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const metrics = createRunnerMetrics({ pool: 'linux-x86_64', runnerId: 'prune-test', concurrency: 1, cacheMaxBytes: 1 });
    const pruner = new CachePruner({ docker, log, metrics, logStore: box.logStore, cache: { maxBytes: 1, maxAgeMs: 0, pruneIntervalMs: 300 } });
    try {
      await pruner.start();
      const pruned = lines.find((l) => l.msg === 'step cache pruned');
      assert.ok(pruned, JSON.stringify(lines));
      assert.equal(pruned.removed, 2);
      assert.equal(pruned.freedBytes, cost);
      assert.deepEqual(
        (pruned.evicted as { key: string; reason: string }[]).map((e) => [e.key, e.reason]),
        [
          [s1, 'size'],
          [s2, 'size'],
        ],
      );
      const text = await metrics.registry.metrics();
      assert.match(text, /^cid_runner_cache_evictions_total\{[^}]*reason="size"[^}]*\} 2$/m);
      assert.match(text, /^cid_runner_cache_evictions_total\{[^}]*reason="age"[^}]*\} 0$/m);
      assert.match(text, /^cid_runner_cache_bytes\{[^}]*runner="prune-test"[^}]*\} 0$/m);
      assert.match(text, new RegExp(`^cid_runner_cache_evicted_bytes_total\\{[^}]*\\} ${cost}$`, 'm'));
      assert.match(text, /^cid_runner_cache_bytes\{[^}]*\} 0$/m);
      assert.match(text, /^cid_runner_cache_entries\{[^}]*\} 0$/m);
      assert.match(text, /^cid_runner_cache_max_bytes\{[^}]*\} 1$/m);

      // A step cached after start goes at the next interval.
      const [s3] = await build(writer('s3', 1, n));
      const deadline = Date.now() + 30_000;
      while ((await lookupStep(docker, s3!)) !== undefined) {
        assert.ok(Date.now() < deadline, 'pruned within the interval');
        await new Promise((r) => setTimeout(r, 100));
      }
      await pruner.stop();
      assert.ok(lines.filter((l) => l.msg === 'step cache pruned').length >= 2);
    } finally {
      await pruner.stop();
    }
  });
});
