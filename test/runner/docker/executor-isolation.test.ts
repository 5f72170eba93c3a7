import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { DROPPED_CAPABILITIES } from '../../../runner/docker/index.ts';
import { loadRunnerConfig } from '../../../runner/config/index.ts';
import { LIMITS, nonce, Sandbox, shell } from './harness.ts';

const engine = await ensureDocker();
const MiB = 1024 * 1024;

describe('executeBuild: isolation and limits', { skip: engine.skip, timeout: 600_000 }, () => {
  const box = new Sandbox(engine.docker);
  let image = '';
  before(async () => {
    image = await busyboxImage('amd64', engine.docker);
  });
  after(() => box.cleanup());

  it('runs steps without a network unless the step asks for one', async () => {
    const n = nonce();
    const off = await box.run({ from: image, steps: [shell(`echo ${n}; ls /sys/class/net`)] });
    assert.equal(off.result.status, 'passed', off.log);
    const ifaces = (log: string): string[] =>
      log
        .split('\n')
        .map((l) => l.replace(/^[^:]*:[^:]*: /, ''))
        .filter((l) => /^(lo|eth\d+)$/.test(l));
    assert.deepEqual(ifaces(off.log), ['lo']);

    const on = await box.run({ from: image, steps: [shell(`echo ${n}; ls /sys/class/net`, { network: true })] });
    assert.equal(on.result.status, 'passed', on.log);
    assert.ok(ifaces(on.log).includes('eth0'), on.log);
    assert.match(on.log, /\(run \(network host\) \(shell/);
    assert.notEqual(on.result.steps[0]?.key, off.result.steps[0]?.key, 'network is part of the key');
  });

  it('creates containers with the limits and hardening asked for', async () => {
    const n = nonce();
    const limits = { memoryBytes: 96 * MiB, nanoCpus: 500_000_000, pidsLimit: 50, noNewPrivileges: true };
    let seen: Docker.ContainerInspectInfo | undefined;
    let polling = true;
    const job = box.run(
      { from: image, steps: [shell(`echo ${n}; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes; sleep 3`)] },
      { limits, jobId: `limits-${n}` },
    );
    const poll = (async () => {
      while (polling && seen === undefined) {
        const [c] = await engine.docker.listContainers({ filters: { name: [`cid-limits-${n}-`] } });
        if (c !== undefined) seen = await engine.docker.getContainer(c.Id).inspect();
        else await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = await job;
    polling = false;
    await poll;
    assert.equal(run.result.status, 'passed', run.log);
    assert.ok(seen, 'the step container was seen running');
    const hc = seen.HostConfig;
    assert.equal(hc.Memory, 96 * MiB);
    assert.equal(hc.NanoCpus, 500_000_000);
    assert.equal(hc.PidsLimit, 50);
    assert.equal(hc.Privileged, false);
    assert.equal(hc.NetworkMode, 'none');
    assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
    assert.deepEqual([...(hc.CapDrop ?? [])].sort(), [...DROPPED_CAPABILITIES].sort());
    assert.deepEqual(hc.Binds ?? [], [], 'nothing from the host is bind-mounted (no Docker socket)');
    assert.ok(!seen.Mounts.some((m) => m.Source.includes('docker.sock')));
    // And the kernel enforces them, as seen from inside.
    assert.match(run.log, /: 50\n/);
    assert.match(run.log, new RegExp(`: ${96 * MiB}\\n`));
  });

  it('contains a fork flood within the pids limit', async () => {
    const limits = { ...LIMITS, pidsLimit: 40 };
    const script = [
      `echo ${nonce()}`,
      // Try for far more processes than allowed; the shell cannot fork past the limit.
      'i=0; while [ $i -lt 300 ]; do (sleep 30 &) 2>/dev/null; i=$((i+1)); done',
      'echo "current $(cat /sys/fs/cgroup/pids/pids.current)"',
    ].join('\n');
    const run = await box.run({ from: image, steps: [shell(script)] }, { limits, timeoutMs: 60_000 });
    const current = /current (\d+)/.exec(run.log);
    assert.ok(current, run.log);
    assert.ok(Number(current[1]) <= 40, `pids.current ${current[1]} stays within the limit`);
    assert.deepEqual(await box.leftovers(run.jobId), []);
  });

  it('kills a step that allocates past its memory limit and says so', async () => {
    const limits = { ...LIMITS, memoryBytes: 64 * MiB };
    // busybox `tail -n 1` keeps everything since the last newline: /dev/zero has none.
    const run = await box.run({ from: image, steps: [shell(`echo ${nonce()}; head -c 400m /dev/zero | tail -n 1 >/dev/null && echo survived`)] }, { limits });
    assert.equal(run.result.exitCode, 137, 'SIGKILLed by the OOM killer');
    assert.equal(run.result.status, 'failed', run.log);
    assert.doesNotMatch(run.log, /: survived\n/);
    assert.match(run.log, /out of memory, limit 64 MiB/);
    assert.deepEqual(await box.leftovers(run.jobId), []);
  });

  it('refuses setuid privilege gains when the runner asks for no-new-privileges', async () => {
    // `su` in busybox is setuid-capable only when installed so; the kernel flag is visible directly.
    const limits = loadRunnerConfig({ CID_RUNNER_BOOTSTRAP_TOKEN: 'bootstrap-token-0123456789', CID_JOB_NO_NEW_PRIVILEGES: 'true' }).limits;
    const run = await box.run({ from: image, steps: [shell(`echo ${nonce()}; grep NoNewPrivs /proc/self/status`)] }, { limits });
    assert.match(run.log, /NoNewPrivs:\s+1/);
  });

  it("with the runner's default settings setuid works (sudo for depexts in ocaml/opam images)", async () => {
    const limits = loadRunnerConfig({ CID_RUNNER_BOOTSTRAP_TOKEN: 'bootstrap-token-0123456789' }).limits;
    const run = await box.run({ from: image, steps: [shell(`echo ${nonce()}; grep NoNewPrivs /proc/self/status`)] }, { limits });
    assert.equal(run.result.status, 'passed', run.log);
    assert.match(run.log, /NoNewPrivs:\s+0/);
  });
});
