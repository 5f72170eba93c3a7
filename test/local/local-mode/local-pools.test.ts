import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canEmulate, planPools } from '../../../local/local-mode/local-pools.ts';
import type { Pool } from '../../../lib/contract/index.ts';

const wanted: Pool[] = ['linux-x86_64', 'linux-x86_64', 'linux-arm64', 'linux-s390x'];
const arm64Only = (p: Pool) => p === 'linux-arm64';

test('on x86_64, other pools are skipped with a reason naming the pool; --emulate hint only where qemu is registered', () => {
  const plan = planPools(wanted, { hostPool: 'linux-x86_64', emulate: false, canEmulate: arm64Only });
  assert.deepEqual(plan.runners, [{ pool: 'linux-x86_64', emulated: false }]);
  assert.equal(plan.skip.get('linux-arm64'), 'not run locally: no linux-arm64 runner on this machine (qemu could emulate it: cid local --emulate)');
  assert.equal(plan.skip.get('linux-s390x'), 'not run locally: no linux-s390x runner on this machine');
  assert.equal(plan.skip.has('linux-x86_64'), false);
});

test('--emulate starts runners for the pools qemu can run, and still skips the others', () => {
  const plan = planPools(wanted, { hostPool: 'linux-x86_64', emulate: true, canEmulate: arm64Only });
  assert.deepEqual(plan.runners, [
    { pool: 'linux-x86_64', emulated: false },
    { pool: 'linux-arm64', emulated: true },
  ]);
  assert.deepEqual([...plan.skip.keys()], ['linux-s390x']);
});

test('on an arm64 machine the analysis pool (linux-x86_64) gets a runner too', () => {
  const plan = planPools(['linux-arm64', 'linux-x86_64'], { hostPool: 'linux-arm64', emulate: false, canEmulate: () => false });
  assert.deepEqual(plan.runners.map((r) => r.pool), ['linux-arm64', 'linux-x86_64']);
  assert.equal(plan.skip.size, 0);
});

test('canEmulate reads the binfmt_misc entry: enabled, disabled, absent', () => {
  const files: Record<string, string> = {
    '/proc/sys/fs/binfmt_misc/qemu-aarch64': 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n',
    '/proc/sys/fs/binfmt_misc/qemu-s390x': 'disabled\n',
  };
  const read = (p: string) => {
    const t = files[p];
    if (t === undefined) throw new Error('ENOENT');
    return t;
  };
  assert.equal(canEmulate('linux-arm64', read), true);
  assert.equal(canEmulate('linux-s390x', read), false);
  assert.equal(canEmulate('linux-riscv64', read), false);
});
