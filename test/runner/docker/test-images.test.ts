// The test-support rules the Docker tests rely on: the engine check and the locally made images.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { busyboxImage, BUSYBOX_APPLETS, ensureDocker, INPUTS_LABEL } from '../../support/images.ts';

/** Runs ensureDocker in a child process with the given environment, reporting what it did. */
function probe(env: Record<string, string | undefined>): { status: number | null; out: string } {
  const code = `import { ensureDocker } from './test/support/images.ts';
    ensureDocker().then((e) => console.log('skip:' + e.skip), (err) => { console.log('threw:' + err.name + ':' + err.message); process.exit(3); });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: new URL('../../..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('ensureDocker', () => {
  const nowhere = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

  it('fails in CI when no engine answers', () => {
    const r = probe({ ...nowhere, CI: 'true' });
    assert.equal(r.status, 3, r.out);
    assert.match(r.out, /threw:DockerUnavailableError:.*no Docker engine answers.*CI=true/);
  });

  it('skips elsewhere, saying how to start an engine', () => {
    const r = probe({ ...nowhere, CI: undefined });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /skip:no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock; start one with `sudo infra\/bootstrap\.sh`/);
  });
});

const engine = await ensureDocker({ arm64: true });

describe('busyboxImage', { skip: engine.skip, timeout: 300_000 }, () => {
  for (const arch of ['amd64', 'arm64'] as const) {
    it(`makes cid-test/busybox:${arch}, recorded as ${arch}, labelled with its inputs, built once`, async () => {
      const ref = await busyboxImage(arch, engine.docker);
      assert.equal(ref, `cid-test/busybox:${arch}`);
      const info = await engine.docker.getImage(ref).inspect();
      assert.equal(info.Architecture, arch);
      assert.match(info.Config.Labels?.[INPUTS_LABEL] ?? '', /^[0-9a-f]{64}$/);
      assert.ok(info.Size < 5_000_000, `small: ${info.Size} bytes`);
      const again = await busyboxImage(arch, engine.docker);
      assert.equal((await engine.docker.getImage(again).inspect()).Id, info.Id, 'not rebuilt');
    });
  }

  it('has the applets tests use', () => {
    for (const a of ['sh', 'uname', 'sleep', 'cat', 'ls', 'head', 'tail', 'awk']) assert.ok((BUSYBOX_APPLETS as readonly string[]).includes(a), a);
  });
});
