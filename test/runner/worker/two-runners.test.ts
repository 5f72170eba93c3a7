// Two runners, one job: whatever the queue delivers (duplicates, redeliveries to the runner that
// already runs it), the job runs once; a runner that loses its job (its credential revoked) stops
// its container at once and cannot claim again; another runner finishes the job, once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { startTestControlPlane, TEST_ADMIN_TOKEN, until } from '../../support/control-plane.ts';
import { ensureDocker, busyboxImage } from '../../support/images.ts';
import { RUNNER_CP_ENV, gitRepo, logText, plannedJob, submitJobs, testRunner, waitJob } from '../../support/runner-harness.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import { RunnerApiError } from '../../../lib/runner-api/index.ts';

let cp: ControlPlane;
let image = '';
let skip: string | false = false;
const docker = new Docker();

before(async () => {
  skip = (await ensureDocker()).skip;
  if (skip) return;
  image = await busyboxImage('amd64');
  cp = await startTestControlPlane(RUNNER_CP_ENV);
});
after(async () => {
  await cp?.stop();
});

const jobContainers = async (jobId: string, running = false) =>
  (await docker.listContainers({ all: !running })).filter((c) => c.Names.some((n) => n.startsWith(`/cid-${jobId}-step`)));

test('two runners race for three messages of one job, one of them with two slots: the job runs once, on one container at a time', { timeout: 120_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const a = await testRunner(cp, 'linux-x86_64', { id: 'race-a', env: { CID_RUNNER_CONCURRENCY: '2' } });
  const b = await testRunner(cp, 'linux-x86_64', { id: 'race-b' });
  try {
    const src = gitRepo({ 'a.txt': 'a' });
    const [job] = await submitJobs(cp, {
      repo: 'local/race',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('raced', 'linux-x86_64', image, ['echo begin; sleep 4; echo end'])],
    });
    // Two more messages for the same job: as if SQS delivered it again (at-least-once).
    await cp.svc.queues.sendJob(job!);
    await cp.svc.queues.sendJob(job!);
    let most = 0;
    const sample = setInterval(() => {
      void jobContainers(job!.id, true).then((cs) => (most = Math.max(most, cs.length)), () => undefined);
    }, 100);
    const done = await waitJob(cp, job!.id, (j) => j.status !== 'queued' && j.status !== 'running', 90_000).finally(() => clearInterval(sample));
    assert.equal(done.status, 'passed', done.reason);
    assert.equal(done.attempt, 1, 'claimed once');
    assert.ok(['race-a', 'race-b'].includes(done.runnerId ?? ''));
    assert.equal(most, 1, 'never two containers of the job at once');
    const log = await logText(cp, done);
    assert.equal(log.match(/: begin$/gm)?.length, 1, log);
    assert.equal(log.match(/: end$/gm)?.length, 1, log);
    // The messages kept by the losers ("busy") come back, find the job finished and are deleted.
    const url = cp.svc.queues.jobQueueUrl('linux-x86_64', 'urgent');
    await until(async () => {
      const d = await cp.svc.queues.depth(url);
      return d.visible + d.inFlight + d.delayed === 0;
    }, { timeoutMs: 30_000, what: 'the duplicate messages to be dropped' });
    assert.deepEqual(await jobContainers(job!.id), [], 'no container of the job is left');
    const later = await cp.svc.store.jobs.get(job!.id);
    assert.deepEqual([later?.status, later?.attempt, later?.finishedAt], [done.status, done.attempt, done.finishedAt]);
  } finally {
    await Promise.all([a.stop(0), b.stop(0)]);
  }
});

test('a runner whose credential is revoked stops its job\'s container and cannot claim; another runner finishes the job, once', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const a = await testRunner(cp, 'linux-x86_64', { id: 'revoked-a' });
  let b: Awaited<ReturnType<typeof testRunner>> | undefined;
  try {
    const src = gitRepo({ 'a.txt': 'a' });
    const [job] = await submitJobs(cp, {
      repo: 'local/revoked',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('outlives-its-runner', 'linux-x86_64', image, ['echo begin; sleep 30; echo end'])],
    });
    const first = await waitJob(cp, job!.id, (j) => j.status === 'running');
    assert.equal(first.runnerId, 'revoked-a');
    await until(async () => (await jobContainers(job!.id, true)).length === 1, { timeoutMs: 90_000, what: "the job's container to run" });

    const res = await fetch(`${cp.url}/api/admin/runners/revoked-a/revoke`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    assert.equal(res.status, 200, await res.text());
    const revokedAt = Date.now();
    // Its next heartbeat is refused: the run is lost, its container stopped; no other runner is
    // up yet, so nothing else could have stopped it.
    await until(async () => (await jobContainers(job!.id, true)).length === 0 && a.runner.activeJobs.length === 0, {
      timeoutMs: 10_000,
      what: "the revoked runner to stop its job's container",
    });
    assert.ok(Date.now() - revokedAt < 5000, `stopped ${Date.now() - revokedAt} ms after the revocation`);
    const refused = await a.api.claim({ jobId: job!.id, generation: job!.generation }).catch((e: unknown) => e);
    assert.ok(refused instanceof RunnerApiError && refused.status === 401, String(refused));

    b = await testRunner(cp, 'linux-x86_64', { id: 'takes-over-b' });
    const done = await waitJob(cp, job!.id, (j) => j.status !== 'queued' && j.status !== 'running', 150_000);
    assert.equal(done.status, 'passed', done.reason);
    assert.equal(done.runnerId, 'takes-over-b');
    assert.equal(done.attempt, 2);
    const lostLog = await logText(cp, { ...done, attempt: 1 });
    // Whatever the revoked runner sent before its credential was refused (perhaps nothing: it sends
    // about once a second), the run did not go on.
    assert.doesNotMatch(lostLog, /: end$/m, 'the revoked run did not go on');
    assert.equal((await logText(cp, done)).match(/: end$/gm)?.length, 1);
    // Nothing finishes it again: the revoked runner's lease is refused, and it has let go.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await cp.svc.store.jobs.get(job!.id);
    assert.deepEqual([later?.status, later?.attempt, later?.runnerId, later?.finishedAt], ['passed', 2, 'takes-over-b', done.finishedAt]);
  } finally {
    await Promise.all([a.stop(0), b?.stop(0)]);
  }
});
