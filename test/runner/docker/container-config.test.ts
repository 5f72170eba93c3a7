import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostConfig } from '../../../runner/docker/container-config.ts';

const limits = { memoryBytes: 1 << 28, nanoCpus: 1e9, pidsLimit: 64 };

test('no-new-privileges is on unless the runner turns it off for sudo-using images; never privileged either way', () => {
  assert.deepEqual(hostConfig({ limits, network: false }).SecurityOpt, ['no-new-privileges']);
  const sudo = hostConfig({ limits: { ...limits, noNewPrivileges: false }, network: false });
  assert.deepEqual(sudo.SecurityOpt, []);
  assert.equal(sudo.Privileged, false);
  assert.equal(sudo.NetworkMode, 'none');
  assert.ok((sudo.CapDrop ?? []).includes('NET_RAW'));
});
