import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { StepCache } from '../../../runner/docker/cached-build.ts';
import type { StepLog } from '../../../runner/docker/cached-build.ts';
import { StepLogStore } from '../../../runner/docker/log-store.ts';
import { cacheRef, commitStep, isLeased, lookupStep } from '../../../runner/docker/step-cache.ts';
import type { StepOutcome } from '../../../runner/docker/step-context.ts';

const engine = await ensureDocker();
const newKey = (): string => randomBytes(32).toString('hex');
const HEADER = '/: (run (shell "make"))';
const STAMPED = /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: /;

describe('StepCache.build: lease, lookup, replay, commit', { skip: engine.skip, timeout: 300_000 }, () => {
  const { docker } = engine;
  const dir = join(tmpdir(), `cid-step-cache-${randomBytes(4).toString('hex')}`);
  const store = new StepLogStore(dir);
  const keys: string[] = [];
  let image = '';
  let imageId = '';
  before(async () => {
    image = await busyboxImage('amd64', docker);
    imageId = (await docker.getImage(image).inspect()).Id;
  });
  after(async () => {
    // The tags only: the test image keeps its own.
    for (const k of keys) await docker.getImage(cacheRef(k)).remove().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  const cacheOf = (enabled = true) => {
    let log = '';
    const cache = new StepCache({ docker, store, enabled, emit: (t) => (log += t) });
    return { cache, log: () => log };
  };
  /** A step that prints `lines` and ends with `outcome`, counting its runs. */
  const step = (lines: string[], outcome: StepOutcome = { kind: 'ok', unchanged: true }) => {
    const s = {
      runs: 0,
      run: async (log: StepLog) => {
        s.runs++;
        for (const l of lines) log.write(l);
        return { outcome };
      },
    };
    return s;
  };
  const build = (cache: StepCache, key: string, s: ReturnType<typeof step>) =>
    cache.build({ key, header: HEADER, parentImage: imageId, run: s.run });

  it('a miss runs the step, keeps its result and log, and holds the key until close; a hit replays the log', async () => {
    const key = newKey();
    keys.push(key);
    const cold = cacheOf();
    const s = step(['compiling', ' a.ml\npartial']);
    const built = await build(cold.cache, key, s);
    assert.equal(s.runs, 1);
    assert.equal(built.cached, false);
    const lines = cold.log().split('\n');
    assert.match(lines[0]!, new RegExp(`${STAMPED.source}/: \\(run \\(shell "make"\\)\\)$`));
    assert.match(lines[1]!, new RegExp(`${STAMPED.source}compiling a\\.ml$`));
    // A partial last line is ended before cid's own line.
    assert.match(lines[2]!, new RegExp(`${STAMPED.source}partial$`));
    assert.match(lines[3]!, new RegExp(`${STAMPED.source}---> saved as "${key}"$`));
    assert.equal(await lookupStep(docker, key), imageId, 'an unchanged step is recorded by tagging its parent');
    assert.ok(isLeased(key));
    await cold.cache.close();
    assert.ok(!isLeased(key));

    const warm = cacheOf();
    const again = step(['never']);
    assert.deepEqual(await build(warm.cache, key, again), { cached: true, imageId });
    assert.equal(again.runs, 0);
    const w = warm.log().split('\n');
    assert.match(w[0]!, new RegExp(`${STAMPED.source}/: \\(run \\(shell "make"\\)\\) \\[cached\\]$`));
    // The replayed lines are the original ones, timestamps included.
    assert.deepEqual(w.slice(1, 3), lines.slice(1, 3));
    assert.match(w[3]!, new RegExp(`${STAMPED.source}---> using "${key}" from cache$`));
    await warm.cache.close();
  });

  it('a hit whose log was lost says so and records that note as its log', async () => {
    const key = newKey();
    keys.push(key);
    const first = cacheOf();
    await build(first.cache, key, step(['x\n']));
    await first.cache.close();
    await store.remove(key);
    const second = cacheOf();
    assert.equal((await build(second.cache, key, step([]))).cached, true);
    assert.match(second.log(), /: \(the log of this cached step was not kept\)\n.*: ---> using/);
    assert.ok(await store.has(key));
    await second.cache.close();
  });

  it('keeps nothing of a failed or aborted step, nor of a step whose run threw', async () => {
    for (const outcome of [{ kind: 'failed', exitCode: 2, message: 'exited with status 2' }, { kind: 'aborted' }] as const) {
      const key = newKey();
      const c = cacheOf();
      const built = await build(c.cache, key, step(['out\n'], outcome));
      assert.deepEqual(built, { cached: false, result: { outcome } });
      assert.match(c.log(), /: out\n$/, 'the output is in the job log, with no "saved as"');
      assert.equal(await lookupStep(docker, key), undefined);
      assert.ok(!(await store.has(key)));
      await c.cache.close();
    }
    const key = newKey();
    const c = cacheOf();
    await assert.rejects(
      c.cache.build({ key, header: HEADER, parentImage: imageId, run: () => Promise.reject(new Error('engine gone')) }),
      /engine gone/,
    );
    assert.ok(!(await store.has(key)));
    await c.cache.close();
  });

  it('restart forgets the earlier attempt: the kept log is the last attempt’s, the job log has both and the note', async () => {
    const key = newKey();
    keys.push(key);
    const c = cacheOf();
    await c.cache.build({
      key,
      header: HEADER,
      parentImage: imageId,
      run: async (log) => {
        log.write('first attempt');
        log.note('[cid] retrying');
        await log.restart();
        log.write('second attempt\n');
        return { outcome: { kind: 'ok', unchanged: true } };
      },
    });
    assert.match(c.log(), /: first attempt\n.*: \[cid\] retrying\n.*: second attempt\n/);
    await c.cache.close();
    let kept = '';
    await store.replay(key, (t) => (kept += t));
    assert.match(kept, new RegExp(`^${STAMPED.source}second attempt\\n$`));
  });

  it('off: never looks up, keeps nothing, and removes the images made on the way at close', async () => {
    const key = newKey();
    keys.push(key);
    const on = cacheOf();
    await build(on.cache, key, step([]));
    await on.cache.close();
    // A committed image without a tag, as a step with the cache off makes.
    const container = await docker.createContainer({ Image: imageId, Entrypoint: ['/bin/true'], Cmd: [] });
    const made = await commitStep(container, { parent: 'p', op: 'run', base: { ref: image, id: imageId, architecture: 'amd64', workdir: '/', user: '', cmd: null, entrypoint: null } });
    await container.remove({ force: true });
    const off = cacheOf(false);
    const s = step(['ran\n'], { kind: 'ok', imageId: made });
    assert.deepEqual(await build(off.cache, key, s), { cached: false, result: { outcome: { kind: 'ok', imageId: made } }, imageId: made });
    assert.equal(s.runs, 1, 'run although the key is cached');
    assert.doesNotMatch(off.log(), /saved as|\[cached\]/);
    assert.ok(!isLeased(key));
    await docker.getImage(made).inspect();
    await off.cache.close();
    await assert.rejects(docker.getImage(made).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('two jobs building one key at once both run it (no single flight: the lease only keeps the pruner away)', async () => {
    const key = newKey();
    keys.push(key);
    const a = cacheOf();
    const b = cacheOf();
    const sa = step(['a\n']);
    const sb = step(['b\n']);
    const [ra, rb] = await Promise.all([build(a.cache, key, sa), build(b.cache, key, sb)]);
    assert.deepEqual([ra.cached, rb.cached, sa.runs, sb.runs], [false, false, 1, 1]);
    assert.equal(await lookupStep(docker, key), imageId);
    let kept = '';
    await store.replay(key, (t) => (kept += t));
    assert.match(kept, /^[^\n]*: [ab]\n$/, 'one whole log, either one');
    await Promise.all([a.cache.close(), b.cache.close()]);
  });

  it('marks config steps: cached only when the chain so far was and the marker is there', async () => {
    const key = newKey();
    const c = cacheOf();
    assert.equal(await c.cache.mark(key, '/: (env A 1)', true), false);
    assert.equal(await c.cache.mark(key, '/: (env A 1)', true), true);
    assert.equal(await c.cache.mark(key, '/: (env A 1)', false), false);
    assert.match(c.log(), /: \/: \(env A 1\)\n.*: \/: \(env A 1\) \[cached\]\n.*: \/: \(env A 1\)\n$/);
    const off = cacheOf(false);
    const other = newKey();
    assert.equal(await off.cache.mark(other, '/: (env A 1)', false), false);
    assert.ok(!(await store.has(other)), 'the cache off keeps no marker');
  });
});
