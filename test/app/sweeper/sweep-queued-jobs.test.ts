import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane } from '../../support/control-plane.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import { sweepQueuedJobs } from '../../../app/sweeper/index.ts';
import { jobIdFor } from '../../../app/store/index.ts';

let cp: ControlPlane;
before(async () => {
  cp = await startTestControlPlane({}, { consumeResults: false, sweeper: false });
});
after(() => cp.stop());

const sha = 'd'.repeat(40);
/** The sweeper's clock 1.1 s on: every job written so far is more than a second old. */
const later = () => Date.now() + 1100;
async function receiveAll(pool: 'linux-x86_64' | 'linux-s390x', priority: 'urgent' | 'bulk' = 'urgent'): Promise<string[]> {
  const url = cp.svc.queues.jobQueueUrl(pool, priority);
  const out: string[] = [];
  for (;;) {
    const ms = await cp.svc.queues.receive(url, { max: 10, waitSeconds: 0 });
    if (ms.length === 0) return out;
    for (const m of ms) {
      out.push((JSON.parse(m.Body ?? '') as { jobId: string }).jobId);
      await cp.svc.queues.delete(url, m.ReceiptHandle ?? '');
    }
  }
}

test('a queued job whose message was lost is sent again, once per period; claimed jobs are not', async () => {
  const mk = (name: string, pool: 'linux-x86_64' | 'linux-s390x') =>
    cp.svc.store.jobs.create({
      id: jobIdFor(`o/s@${sha}`, name),
      pipelineId: `o/s@${sha}`,
      repo: 'o/s',
      sha,
      name,
      kind: 'build',
      pool,
      priority: 'urgent',
      source: { kind: 'local', path: '/tmp', sha },
    });
  const lost = (await mk('lost', 'linux-s390x')).job;
  const taken = (await mk('taken', 'linux-x86_64')).job;
  const created = Date.now();
  await cp.svc.store.jobs.claim(taken.id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  // Nothing was ever sent: as if SQS lost the messages (or the local queue restarted).
  assert.deepEqual(await sweepQueuedJobs(cp.svc, 3600), { resent: 0 }, 'young jobs are left alone');
  // The sweeper's clock is set, not waited for: a period of 1 s ends at `sweptAt`, after the jobs
  // were created and no later than the re-send refreshes them (the store's timestamps are in ms).
  while (Date.now() <= created); // at most a millisecond
  const sweptAt = Date.now();
  const clock = () => sweptAt + 1000;
  assert.deepEqual(await sweepQueuedJobs(cp.svc, 1, clock), { resent: 1 });
  assert.deepEqual(await receiveAll('linux-s390x'), [lost.id]);
  assert.deepEqual(await receiveAll('linux-x86_64'), []);
  assert.deepEqual(await sweepQueuedJobs(cp.svc, 1, clock), { resent: 0 }, 'not re-sent again within the period');
});

test('jobs merely waiting behind busy runners are not re-sent: their messages are still queued', async () => {
  // The first test's job has no message left on purpose; out of the way here.
  await cp.svc.store.jobs.requestCancel(jobIdFor(`o/s@${sha}`, 'lost'));
  const waiting = [];
  for (const i of [1, 2, 3]) {
    const { job } = await cp.svc.store.jobs.create({
      id: jobIdFor(`o/w@${sha}`, `bulk-${i}`),
      pipelineId: `o/w@${sha}`,
      repo: 'o/w',
      sha,
      name: `bulk-${i}`,
      kind: 'build',
      pool: 'linux-riscv64',
      priority: 'bulk',
      source: { kind: 'local', path: '/tmp', sha },
    });
    waiting.push(job);
  }
  await cp.svc.queues.sendJobs(waiting);
  assert.deepEqual(await sweepQueuedJobs(cp.svc, 1, later), { resent: 0 });
  // One message lost: fewer messages than waiting jobs, so they are sent again.
  const url = cp.svc.queues.jobQueueUrl('linux-riscv64', 'bulk');
  const [lost] = await cp.svc.queues.receive(url, { max: 1, waitSeconds: 0 });
  await cp.svc.queues.delete(url, lost?.ReceiptHandle ?? '');
  assert.deepEqual(await sweepQueuedJobs(cp.svc, 1, later), { resent: 3 });
});

test('a running job whose runner went silent (and whose message is gone) is re-queued once its heartbeat is stale', async () => {
  const { sweepStaleRunningJobs } = await import('../../../app/sweeper/index.ts');
  const { job } = await cp.svc.store.jobs.create({
    id: jobIdFor(`o/s@${sha}`, 'orphan'),
    pipelineId: `o/s@${sha}`,
    repo: 'o/s',
    sha,
    name: 'orphan',
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'local', path: '/tmp', sha },
  });
  await cp.svc.store.jobs.claim(job.id, { runnerId: 'dead', generation: 1, staleBefore: new Date(0).toISOString() });
  assert.deepEqual(await sweepStaleRunningJobs(cp.svc, 3600, later), { released: 0 }, 'a fresh heartbeat keeps it');
  // The job the first test claimed and never finished is just as orphaned.
  const taken = jobIdFor(`o/s@${sha}`, 'taken');
  assert.deepEqual(await sweepStaleRunningJobs(cp.svc, 1, later), { released: 2 });
  const back = await cp.svc.store.jobs.get(job.id);
  assert.equal(back?.status, 'queued');
  assert.equal(back?.runnerId, undefined);
  assert.deepEqual((await receiveAll('linux-x86_64')).sort(), [job.id, taken].sort());
  const again = await cp.svc.store.jobs.claim(job.id, { runnerId: 'alive', generation: 1, staleBefore: new Date(0).toISOString() });
  assert.equal(again?.attempt, 2);
  await cp.svc.store.jobs.finish(job.id, 'alive', { status: 'passed' });
  assert.deepEqual(await sweepStaleRunningJobs(cp.svc, 0), { released: 0 }, 'finished jobs are not listed');
});
