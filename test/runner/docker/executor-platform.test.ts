import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { cacheRef, ImageUnavailableError } from '../../../runner/docker/index.ts';
import { makeSource, nonce, Sandbox, shell } from './harness.ts';

const engine = await ensureDocker({ arm64: true });

describe('executeBuild: platforms and copies', { skip: engine.skip, timeout: 600_000 }, () => {
  const box = new Sandbox(engine.docker);
  let arm64 = '';
  let amd64 = '';
  before(async () => {
    amd64 = await busyboxImage('amd64', engine.docker);
    arm64 = await busyboxImage('arm64', engine.docker);
  });
  after(() => box.cleanup());

  it('runs a linux-arm64 job in an arm64 container', async () => {
    const run = await box.run({ from: arm64, steps: [shell(`echo ${nonce()}; uname -m`)] }, { pool: 'linux-arm64' });
    assert.equal(run.result.status, 'passed', run.log);
    assert.match(run.log, /: aarch64\n/);
    const committed = await engine.docker.getImage(cacheRef(run.result.steps[0]?.key ?? '')).inspect();
    assert.equal(committed.Architecture, 'arm64', 'the cached step keeps the architecture');
  });

  it('refuses to run an image of another architecture than the pool', async () => {
    await assert.rejects(
      box.run({ from: amd64, steps: [shell('uname -m')] }, { pool: 'linux-arm64' }),
      (e: unknown) => e instanceof ImageUnavailableError && /built for amd64/.test(e.message),
    );
    await assert.rejects(
      box.run({ from: `cid-test/does-not-exist:${nonce()}`, steps: [shell('true')] }),
      ImageUnavailableError,
    );
  });

  it('copies files owned by the current user, into a destination it creates, following exclude', async () => {
    const n = nonce();
    const src = await makeSource({
      [`dir/${'long-name-'.repeat(12)}.ml`]: `(* ${n} *)\n`,
      'dir/sub/x.opam': 'opam-version: "2.0"\n',
      'dir/skip.tmp': 'no\n',
      'top.opam': 'opam-version: "2.0"\n',
    });
    const run = await box.run(
      {
        from: amd64,
        steps: [
          { op: 'user', uid: 1000, gid: 1000 },
          { op: 'workdir', path: '/home/opam/src' },
          { op: 'copy', src: ['top.opam', 'dir'], dst: './', exclude: ['*.tmp'] },
          shell('ls -lnR /home/opam | sed "s/  */ /g"; touch written-by-user && echo writable'),
        ],
      },
      { sourceDir: src },
    );
    assert.equal(run.result.status, 'passed', run.log);
    assert.match(run.log, / 1000 1000 \d+ .* top\.opam\n/);
    assert.match(run.log, new RegExp(` 1000 1000 \\d+ .* ${'long-name-'.repeat(12)}\\.ml\\n`), 'long names (pax headers) survive');
    assert.match(run.log, / 1000 1000 .* x\.opam\n/);
    assert.match(run.log, /: writable\n/, 'the destination the copy created belongs to the user');
    assert.doesNotMatch(run.log, /skip\.tmp/);
  });
});
