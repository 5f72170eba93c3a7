// A runner process killed without clean-up (kill -9) and started again with the same id: the job
// it left running goes back to the queue at once and passes, once. The control plane's sweeper is
// off here, so what is tested is the runner's own hand-back, not the stale-running safety net.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestControlPlane, until } from '../../support/control-plane.ts';
import { ensureDocker, busyboxImage } from '../../support/images.ts';
import { RUNNER_CP_ENV, gitRepo, logText, plannedJob, runnerEnv, submitJobs, testRunner, waitJob } from '../../support/runner-harness.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import type { Job } from '../../../lib/contract/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

let cp: ControlPlane | undefined;
let image = '';
let skip: string | false = false;
let child: ChildProcess | undefined;

before(async () => {
  skip = (await ensureDocker()).skip;
  if (skip) return;
  image = await busyboxImage('amd64');
  cp = await startTestControlPlane({ ...RUNNER_CP_ENV }, { sweeper: false });
});
after(async () => {
  child?.kill('SIGKILL');
  await cp?.stop();
});

test('kill -9 mid-build, restart with the same id: the job is queued again at once and passes within 60 s, exactly once', { timeout: 150_000 }, async (t) => {
  if (skip || !cp) return t.skip(skip || 'no control plane');
  const id = 'restarting-runner';
  const src = gitRepo({ 'a.txt': 'a' });
  const [job] = await submitJobs(cp, {
    repo: 'local/restart',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [plannedJob('survives-a-restart', 'linux-x86_64', image, ['echo begin; sleep 3; echo end'])],
  });
  // A real runner process, with the default visibility timeout (120 s): its message stays hidden
  // well past the 60 s this test allows, so only the restarted runner's hand-back can save the job.
  let stderr = '';
  child = spawn(process.execPath, [join(ROOT, 'runner/bin.js'), '--pool', 'linux-x86_64'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...runnerEnv(cp, id) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await waitJob(cp, job!.id, (j) => j.status === 'running', 30_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; runner stderr: ${stderr}`);
  });
  assert.equal(first.runnerId, id);
  const docker = new Docker();
  const orphan = await until(async () => (await docker.listContainers({ all: true })).find((c) => c.Names.some((n) => n.includes(`cid-${job!.id}-step`))), {
    timeoutMs: 30_000,
    what: 'the job container',
  });
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  // Docker dates containers to the second; a starting runner removes only those made before it.
  await until(async () => Math.floor(Date.now() / 1000) > orphan.Created && true, { what: 'the next second' });

  const t0 = Date.now();
  const second = await testRunner(cp, 'linux-x86_64', { id });
  try {
    const done = await waitJob(cp, job!.id, (j) => j.status !== 'running' && j.status !== 'queued', 60_000);
    const took = Date.now() - t0;
    assert.equal(done.status, 'passed', done.reason);
    assert.ok(took < 60_000, `passed ${took} ms after the restart`);
    assert.equal(done.attempt, 2, 'claimed twice: the killed attempt and the one after the restart');
    assert.equal(done.runnerId, id);
    const log = await logText(cp, done);
    assert.equal(log.match(/: end$/gm)?.length, 1, log);
    assert.ok(!(await docker.listContainers({ all: true })).some((c) => c.Id === orphan.Id), "the killed process's container is gone");
    // Exactly once: the hand-back sent one message, which the restarted runner took and deleted;
    // what is left is the killed process's own message, still invisible, which will find the job done.
    const depth = await cp.svc.queues.depth(cp.svc.queues.jobQueueUrl('linux-x86_64', 'urgent'));
    assert.deepEqual(depth, { visible: 0, inFlight: 1, delayed: 0 });
    const later = await cp.svc.store.jobs.get(job!.id);
    assert.deepEqual(pick(later), pick(done));
  } finally {
    await second.stop(0);
  }
});

// A runner that registers again under its id has its earlier registration's jobs handed back at
// once: the earlier process's credential no longer works, so nothing can beat them any more.
// Jobs of other runner ids are never touched.
test('a starting runner gets its own earlier jobs handed back and leaves alone running jobs of another runner id', { timeout: 60_000 }, async (t) => {
  if (skip || !cp) return t.skip(skip || 'no control plane');
  const src = gitRepo({ 'a.txt': 'a' });
  // s390x jobs: the x86 runner under test never gets their messages, only sees them in the store.
  const jobs = await submitJobs(cp, {
    repo: 'local/live',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: ['other-id', 'same-id-earlier'].map((n) => plannedJob(n, 'linux-s390x', image, ['true'])),
  });
  const [other, earlier] = jobs as [Job, Job];
  const id = 'starting-runner';
  for (const [j, holder] of [[other, 'another-live-runner'], [earlier, id]] as const) {
    assert.ok(await cp.svc.store.jobs.claim(j.id, { runnerId: holder, generation: 1, staleBefore: new Date(0).toISOString() }));
  }
  // The other runner beats as a runner does.
  const beat = setInterval(() => void cp?.svc.store.jobs.heartbeat(other.id, 'another-live-runner'), 250);
  try {
    const r = await testRunner(cp, 'linux-x86_64', { id });
    await r.stop(0);
    const [o, e] = await Promise.all([other, earlier].map((j) => cp!.svc.store.jobs.get(j.id)));
    assert.deepEqual([o?.status, o?.runnerId, o?.attempt], ['running', 'another-live-runner', 1]);
    assert.deepEqual([e?.status, e?.runnerId], ['queued', undefined], 'its own earlier job was handed back');
  } finally {
    clearInterval(beat);
  }
});

const pick = (j: Job | undefined) => ({ status: j?.status, attempt: j?.attempt, finishedAt: j?.finishedAt });
