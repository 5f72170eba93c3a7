import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { cacheRef, lookupStep, pruneCache } from '../../../runner/docker/index.ts';
import { copy, makeSource, nonce, Sandbox, shell, writeSource } from './harness.ts';

const engine = await ensureDocker();

describe('executeBuild: step cache', { skip: engine.skip, timeout: 600_000 }, () => {
  const box = new Sandbox(engine.docker);
  let image = '';
  before(async () => {
    image = await busyboxImage('amd64', engine.docker);
  });
  after(() => box.cleanup());

  it('passes a 3-step job, then serves every step from the cache and replays its log', async () => {
    const n = nonce();
    const spec = {
      from: image,
      steps: [shell(`echo first-${n}`), { op: 'env', name: 'GREETING', value: `hi-${n}` } as const, shell('echo "second $GREETING"')],
    };
    const cold = await box.run(spec);
    assert.equal(cold.result.status, 'passed', cold.log);
    assert.deepEqual(
      cold.result.steps.map((s) => [s.index, s.op, s.cached]),
      [
        [0, 'run', false],
        [1, 'env', false],
        [2, 'run', false],
      ],
    );
    assert.match(cold.log, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\.\\d\\d: first-${n}$`, 'm'));
    assert.match(cold.log, new RegExp(`: second hi-${n}\\n`));
    assert.match(cold.log, /: \/: \(run \(shell "echo first-[0-9a-f]+"\)\)\n/);
    assert.match(cold.log, /: Job succeeded\n$/);
    for (const s of cold.result.steps.filter((s) => s.op === 'run')) {
      assert.ok(await lookupStep(engine.docker, s.key), `step ${s.index} is cached as ${cacheRef(s.key)}`);
    }

    const warm = await box.run(spec);
    assert.equal(warm.result.status, 'passed', warm.log);
    assert.deepEqual(
      warm.result.steps.map((s) => s.cached),
      [true, true, true],
    );
    assert.deepEqual(
      warm.result.steps.map((s) => s.key),
      cold.result.steps.map((s) => s.key),
    );
    // The replayed lines are the original ones, timestamps included.
    const line = (log: string, re: RegExp): string | undefined => log.split('\n').find((l) => re.test(l));
    assert.equal(line(warm.log, new RegExp(`first-${n}$`)), line(cold.log, new RegExp(`first-${n}$`)));
    assert.ok(line(warm.log, new RegExp(`second hi-${n}$`)));
    assert.match(warm.log, /\(run \(shell "echo first-[0-9a-f]+"\)\) \[cached\]\n/);
    assert.match(warm.log, /---> using "[0-9a-f]{64}" from cache/);
    assert.deepEqual(await box.leftovers(warm.jobId), []);
    assert.deepEqual(await box.leftovers(cold.jobId), []);
  });

  it('re-runs only the last step when only it changed', async () => {
    const n = nonce();
    const steps = [shell(`echo one-${n} > /one`), shell('cat /one'), shell('echo three')];
    const first = await box.run({ from: image, steps });
    assert.equal(first.result.status, 'passed', first.log);
    const changed = await box.run({ from: image, steps: [...steps.slice(0, 2), shell('echo three, changed; cat /one')] });
    assert.equal(changed.result.status, 'passed', changed.log);
    assert.deepEqual(
      changed.result.steps.map((s) => s.cached),
      [true, true, false],
    );
    assert.match(changed.log, new RegExp(`: three, changed\\n.*: one-${n}\\n`));
    assert.notEqual(changed.result.steps[2]?.key, first.result.steps[2]?.key);
    assert.equal(changed.result.steps[1]?.key, first.result.steps[1]?.key);
  });

  it('keys copies by content: a changed file invalidates the copy and what follows, a touched one does not', async () => {
    const n = nonce();
    const src = await makeSource({ 'a.ml': `let a = "${n}"\n`, 'lib/b.ml': 'let b = 1\n', '.git/HEAD': 'ref\n', '_build/x': 'junk\n' });
    const spec = {
      from: image,
      steps: [
        shell(`echo before-${n}`),
        copy(['.'], '/src', ['_build']),
        shell('cd /src && find . | sort && cat a.ml lib/b.ml'),
        shell('echo after'),
      ],
    };
    const cold = await box.run(spec, { sourceDir: src });
    assert.equal(cold.result.status, 'passed', cold.log);
    assert.match(cold.log, /: \.\/lib\/b\.ml\n/);
    assert.doesNotMatch(cold.log, /: \.\/(\.git|_build)/, '.git is always excluded, _build by the step');

    // Same content, new mtimes: every step still cached.
    const later = new Date(Date.now() + 60_000);
    await utimes(join(src, 'a.ml'), later, later);
    const touched = await box.run(spec, { sourceDir: src });
    assert.deepEqual(
      touched.result.steps.map((s) => s.cached),
      [true, true, true, true],
    );

    await writeSource(src, { 'lib/b.ml': 'let b = 2\n' });
    const edited = await box.run(spec, { sourceDir: src });
    assert.equal(edited.result.status, 'passed', edited.log);
    assert.deepEqual(
      edited.result.steps.map((s) => s.cached),
      [true, false, false, false],
    );
    assert.match(edited.log, /: let b = 2\n/);
  });

  it('does not cache a failed step: the next job runs it again', async () => {
    const n = nonce();
    const spec = { from: image, steps: [shell(`echo ok-${n}`), shell(`echo failing-${n}; exit 3`)] };
    const first = await box.run(spec);
    assert.equal(first.result.status, 'failed');
    assert.equal(first.result.exitCode, 3);
    assert.equal(first.result.failedStep, 1);
    assert.match(first.log, /Job failed: step 2\/2 \(run\) exited with status 3\n$/);
    const failedKey = first.result.steps[1]?.key ?? '';
    assert.equal(await lookupStep(engine.docker, failedKey), undefined);
    assert.equal(await box.logStore.has(failedKey), false);

    const again = await box.run(spec);
    assert.equal(again.result.status, 'failed');
    assert.deepEqual(
      again.result.steps.map((s) => s.cached),
      [true, false],
    );
    assert.match(again.log, new RegExp(`\\d\\d: failing-${n}\\n`));
    assert.deepEqual(await box.leftovers(again.jobId), []);
  });

  it('records a step that changed no file by tagging its parent image, and commits one that did', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(`echo look-${n}`), shell(`echo ${n} > /made`), shell('cat /made')] });
    assert.equal(run.result.status, 'passed', run.log);
    const ids = await Promise.all(run.result.steps.map(async (s) => (await engine.docker.getImage(cacheRef(s.key)).inspect()).Id));
    const baseId = (await engine.docker.getImage(image).inspect()).Id;
    assert.equal(ids[0], baseId, 'nothing changed: the base image stands for the step');
    assert.notEqual(ids[1], baseId, 'a file was written: committed');
    assert.equal(ids[2], ids[1]);
  });

  it('keeps no image of a job run with the cache off', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(`echo ${n} > /a`), shell('echo b > /b'), shell('cat /a /b')] }, { cache: false });
    assert.equal(run.result.status, 'passed', run.log);
    assert.match(run.log, new RegExp(`: ${n}\n.*: b\n`), 'each step saw the files of the ones before');
    assert.ok(run.result.steps.every((s) => !s.cached));
    for (const s of run.result.steps) {
      assert.equal(await lookupStep(engine.docker, s.key), undefined);
      const children = await engine.docker.listImages({ all: true, filters: { label: [`cid.parent=${s.key}`] } });
      assert.deepEqual(children, [], `no image left from after step ${s.index}`);
    }
    assert.deepEqual(await box.logStore.keys(), (await box.logStore.keys()).filter((k) => !run.result.steps.some((s) => s.key === k)));
  });

  it('fails a copy of a missing source path as a failed step', async () => {
    const src = await makeSource({ 'present.ml': '' });
    const run = await box.run({ from: image, steps: [{ op: 'copy', src: ['absent.ml'], dst: '/src' }] }, { sourceDir: src });
    assert.equal(run.result.status, 'failed');
    assert.equal(run.result.failedStep, 0);
    assert.match(run.log, /absent\.ml does not exist/);
  });

  it('prunes cache entries unused for longer than asked, and only those', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(`echo prune-${n}`), shell(`echo keep-${n}`)] });
    const [old, recent] = run.result.steps.map((s) => s.key) as [string, string];
    const longAgo = new Date('2001-01-01T00:00:00Z');
    await utimes(box.logStore.path(old), longAgo, longAgo);
    const pruned = await pruneCache({ docker: engine.docker, olderThanMs: 10 * 365 * 24 * 3600_000, logStore: box.logStore });
    assert.equal(pruned.images, 1);
    assert.equal(await lookupStep(engine.docker, old), undefined);
    assert.equal(await box.logStore.has(old), false);
    assert.ok(await lookupStep(engine.docker, recent), 'the recent child keeps its image (and with it its parent layer)');
    const rerun = await box.run({ from: image, steps: [shell(`echo prune-${n}`), shell(`echo keep-${n}`)] });
    assert.deepEqual(
      rerun.result.steps.map((s) => s.cached),
      [false, true],
      'the pruned step runs again; keys chain keys, not image ids, so the child still hits',
    );
  });
});
