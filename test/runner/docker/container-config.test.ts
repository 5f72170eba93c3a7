import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostConfig } from '../../../runner/docker/container-config.ts';
import { loadRunnerConfig } from '../../../runner/config/index.ts';

const limits = { memoryBytes: 1 << 28, nanoCpus: 1e9, pidsLimit: 64 };
/** The one setting a runner cannot start without. */
const BASE = { CID_RUNNER_BOOTSTRAP_TOKEN: 'bootstrap-token-0123456789' };

test("the runner's default leaves no-new-privileges off, so sudo works in ocaml/opam images; one default, whoever builds the limits", () => {
  const fromRunner = hostConfig({ limits: loadRunnerConfig(BASE).limits, network: false });
  assert.deepEqual(fromRunner.SecurityOpt, [], 'the runner config loader gives containers in which sudo works');
  assert.deepEqual(hostConfig({ limits, network: false }).SecurityOpt, fromRunner.SecurityOpt, 'limits that do not say use the same default');
  // Never privileged either way: sudo works through the image's setuid binary, not through extra rights.
  assert.equal(fromRunner.Privileged, false);
  assert.equal(fromRunner.NetworkMode, 'none');
  assert.ok((fromRunner.CapDrop ?? []).includes('NET_RAW'));
});

test('CID_JOB_NO_NEW_PRIVILEGES=true turns it on for hosts whose images never use sudo', () => {
  const on = hostConfig({ limits: loadRunnerConfig({ ...BASE, CID_JOB_NO_NEW_PRIVILEGES: 'true' }).limits, network: false });
  assert.deepEqual(on.SecurityOpt, ['no-new-privileges']);
  assert.deepEqual(hostConfig({ limits: { ...limits, noNewPrivileges: true }, network: false }).SecurityOpt, ['no-new-privileges']);
  assert.equal(on.Privileged, false);
});
