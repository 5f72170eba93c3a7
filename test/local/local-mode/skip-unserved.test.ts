import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane } from '../../support/control-plane.ts';
import { logText, plannedJob, submitJobs } from '../../support/runner-harness.ts';
import { SKIPPER_ID, skipUnserved } from '../../../local/local-mode/skip-unserved.ts';
import type { Pool } from '../../../lib/contract/index.ts';

const cp = await startTestControlPlane();
after(() => cp.stop());

test('queued jobs of unserved pools end skipped with the reason, in the job and its log; others are left alone', async () => {
  const sha = 'a'.repeat(40);
  const jobs = await submitJobs(cp, {
    repo: 'local/skip',
    sha,
    source: { kind: 'local', path: '/tmp', sha },
    jobs: [plannedJob('arm', 'linux-arm64', 'img', ['true']), plannedJob('x86', 'linux-x86_64', 'img', ['true'])],
  });
  const skip = new Map<Pool, string>([['linux-arm64', 'not run locally: no linux-arm64 runner on this machine']]);
  assert.deepEqual(await skipUnserved(cp.svc, jobs, skip), ['arm']);
  const arm = await cp.svc.store.jobs.get(jobs.find((j) => j.name === 'arm')!.id);
  assert.equal(arm?.status, 'skipped');
  assert.equal(arm?.reason, 'not run locally: no linux-arm64 runner on this machine');
  assert.equal(arm?.runnerId, SKIPPER_ID);
  assert.match(await logText(cp, arm!), /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: \[cid\] arm: not run locally: no linux-arm64 runner on this machine\n$/);
  assert.equal((await cp.svc.store.jobs.get(jobs.find((j) => j.name === 'x86')!.id))?.status, 'queued');
  // Already skipped: a second pass changes nothing.
  assert.deepEqual(await skipUnserved(cp.svc, [arm!], skip), []);
});
