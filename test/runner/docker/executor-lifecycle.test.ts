import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { nonce, Sandbox, shell } from './harness.ts';

const engine = await ensureDocker();

describe('executeBuild: logs, timeout and cancellation', { skip: engine.skip, timeout: 600_000 }, () => {
  const box = new Sandbox(engine.docker);
  let image = '';
  before(async () => {
    image = await busyboxImage('amd64', engine.docker);
  });
  after(() => box.cleanup());

  it('streams output while the step runs, not when it ends', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(`echo early-${n}; sleep 2; echo late-${n}`)] });
    assert.equal(run.result.status, 'passed', run.log);
    const at = (re: RegExp): number => {
      const c = run.chunks.find((x) => re.test(x.text));
      assert.ok(c, `a chunk matching ${re}`);
      return c.at;
    };
    // Output lines, not the step's header (which shows the whole script).
    const early = at(new RegExp(`: early-${n}\\n`));
    const late = at(new RegExp(`: late-${n}\\n`));
    assert.ok(late - early >= 1500, `early output came ${late - early} ms before the late one`);
    assert.ok(early < at(/---> saved as/) - 1500, 'and well before the step ended');
  });

  it('prefixes every line, stdout and stderr alike, with a timestamp', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(`printf 'a-${n}\\nb'; sleep 0.2; printf 'c\\n'; echo err-${n} >&2`)] });
    const lines = run.log.split('\n').filter((l) => l !== '');
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: /);
    const index = (suffix: string): number => lines.findIndex((l) => l.endsWith(`: ${suffix}`));
    assert.ok(index(`a-${n}`) > 0, run.log);
    assert.equal(index('bc'), index(`a-${n}`) + 1, `a line written in two parts carries one prefix:\n${run.log}`);
    assert.equal(index(`err-${n}`), index('bc') + 1, `stderr comes in the order it was written:\n${run.log}`);
  });

  it('times a job out, killing its container', async () => {
    const t0 = Date.now();
    const run = await box.run({ from: image, steps: [shell(`echo ${nonce()}; sleep 60`)] }, { timeoutMs: 2500 });
    const took = Date.now() - t0;
    assert.equal(run.result.status, 'timed_out', run.log);
    assert.equal(run.result.failedStep, 0);
    assert.ok(took < 2500 + 2000, `finished ${took} ms after starting`);
    assert.match(run.log, /Job timed out after 2\.5s\n$/);
    assert.deepEqual(await box.leftovers(run.jobId), []);
    assert.equal(await box.logStore.has(run.result.steps[0]?.key ?? ''), false, 'nothing cached');
  });

  it('stops a cancelled job within 2 s and removes its container', async () => {
    const n = nonce();
    const controller = new AbortController();
    let abortedAt = 0;
    const run = await box.run(
      { from: image, steps: [shell(`echo running-${n}; sleep 60`), shell('echo never')] },
      {
        signal: controller.signal,
        jobId: `cancel-${n}`,
        onLog: (text) => {
          if (text.includes(`: running-${n}\n`) && abortedAt === 0) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      },
    );
    const took = Date.now() - abortedAt;
    assert.ok(abortedAt > 0, 'the step started');
    assert.equal(run.result.status, 'cancelled');
    assert.equal(run.result.failedStep, 0);
    assert.equal(run.result.steps.length, 1, 'the next step never ran');
    assert.ok(took <= 2000, `stopped ${took} ms after the cancel`);
    assert.match(run.log, /Job cancelled\n$/);
    assert.deepEqual(await box.leftovers(run.jobId), []);
  });

  it('does not start at all when cancelled beforehand', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await box.run({ from: image, steps: [shell('echo never')] }, { signal: controller.signal });
    assert.equal(run.result.status, 'cancelled');
    assert.deepEqual(run.result.steps, []);
  });

  it('shares a cache mount between jobs of a pool, writable by the step user', async () => {
    const n = nonce();
    const cache = [{ id: 'downloads', target: '/home/user/.cache/dl' }];
    const user = { op: 'user', uid: 1000, gid: 1000 } as const;
    const writer = await box.run({
      from: image,
      steps: [user, shell(`echo ${n} > /home/user/.cache/dl/token && ls -ln /home/user/.cache`, { cache })],
    });
    assert.equal(writer.result.status, 'passed', writer.log);
    assert.match(writer.log, / 1000 +1000 .* dl\n/, 'the fresh volume belongs to the step user');
    const reader = await box.run({ from: image, steps: [user, shell(`echo reader; cat /home/user/.cache/dl/token`, { cache })] });
    assert.equal(reader.result.status, 'passed', reader.log);
    assert.match(reader.log, new RegExp(`: ${n}\\n`));
    // Cache mounts are not part of the key: the same shell without the mount hits the cache of the one with it.
    assert.equal((await box.run({ from: image, steps: [user, shell(`echo reader; cat /home/user/.cache/dl/token`)] })).result.steps[1]?.cached, true);
    // Another pool has volumes of its own.
    const names = (await engine.docker.listVolumes()).Volumes.map((v) => v.Name);
    assert.ok(names.includes(`${box.cachePrefix}-linux-x86_64-downloads`), names.join(' '));
  });
});
