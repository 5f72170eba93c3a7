import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane, until } from '../../support/control-plane.ts';
import { ensureDocker, busyboxImage, canEmulateArm64 } from '../../support/images.ts';
import { RUNNER_CP_ENV, gitRepo, logText, plannedJob, submitJobs, testRunner, waitJob } from '../../support/runner-harness.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';

let cp: ControlPlane;
let amd64: string;
let arm64: string | undefined;
let skip: string | false = false;

before(async () => {
  const engine = await ensureDocker();
  skip = engine.skip;
  if (skip) return;
  amd64 = await busyboxImage('amd64');
  if (canEmulateArm64()) arm64 = await busyboxImage('arm64');
  cp = await startTestControlPlane({ ...RUNNER_CP_ENV });
});
after(async () => {
  await cp?.stop();
});

test('a runner builds a local commit: logs stream into the store while the job runs, the pipeline passes', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'hello.txt': 'hello from the source\n' });
  const r = await testRunner(cp, 'linux-x86_64');
  try {
    const [job] = await submitJobs(cp, {
      repo: 'local/hello',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('busybox-hello', 'linux-x86_64', amd64, ['cat hello.txt; echo first; sleep 2; echo second'])],
    });
    assert.ok(job);
    const running = await waitJob(cp, job.id, (j) => j.status === 'running');
    assert.equal(running.runnerId, r.runner.id);
    // While it sleeps, the first line is already in the store.
    const early = await (async () => {
      // The runner sends its log about once a second: "first" shows before the 2 s sleep ends.
      for (let i = 0; i < 300; i++) {
        const text = await logText(cp, running);
        if (/: first$/m.test(text)) return text;
        await new Promise((res) => setTimeout(res, 50));
      }
      return '';
    })();
    assert.match(early, /hello from the source/);
    assert.doesNotMatch(early, /: second$/m);
    const done = await waitJob(cp, job.id, (j) => j.status === 'passed');
    assert.equal(done.attempt, 1);
    const text = await logText(cp, done);
    assert.match(text, /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: /m);
    assert.match(text, /: second$/m);
    assert.match(text, /\[cid\] passed/);
    await waitJob(cp, job.id, () => true);
    // The results consumer settles the pipeline: it must end passed, not stall running.
    const p = await until(async () => {
      const got = await cp.svc.store.pipelines.get(job.pipelineId);
      return got && got.status !== 'pending' && got.status !== 'running' && got;
    }, { what: 'the pipeline to settle' });
    assert.equal(p.status, 'passed');
  } finally {
    await r.stop(0);
  }
});

test('a failing step fails the job with the step and exit status', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'x.txt': 'x' });
  const r = await testRunner(cp, 'linux-x86_64');
  try {
    const [job] = await submitJobs(cp, {
      repo: 'local/fail',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('fails', 'linux-x86_64', amd64, ['echo about to fail; exit 3'])],
    });
    const done = await waitJob(cp, job!.id, (j) => j.status === 'failed');
    assert.match(done.reason ?? '', /exited with 3/);
  } finally {
    await r.stop(0);
  }
});

test('runners take only their own pool\'s jobs and build in containers of their architecture', async (t) => {
  if (skip) return t.skip(skip);
  if (!arm64) return t.skip('no qemu-aarch64 binfmt here: run infra/bootstrap.sh as root');
  const src = gitRepo({ 'a.txt': 'a' });
  const x86 = await testRunner(cp, 'linux-x86_64', { id: 'runner-x86' });
  const arm = await testRunner(cp, 'linux-arm64', { id: 'runner-arm' });
  try {
    const jobs = await submitJobs(cp, {
      repo: 'local/arch',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [
        plannedJob('on-x86', 'linux-x86_64', amd64, ['uname -m']),
        plannedJob('on-arm', 'linux-arm64', arm64, ['uname -m']),
      ],
    });
    const [onX86, onArm] = await Promise.all(jobs.map((j) => waitJob(cp, j.id, (x) => x.status === 'passed', 120_000)));
    assert.equal(onX86?.runnerId, 'runner-x86');
    assert.equal(onArm?.runnerId, 'runner-arm');
    assert.match(await logText(cp, onX86!), /x86_64/);
    assert.match(await logText(cp, onArm!), /aarch64/);
  } finally {
    await Promise.all([x86.stop(0), arm.stop(0)]);
  }
});

test('a cancel recorded on a running job stops its container within 2 s', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'a.txt': 'a' });
  const r = await testRunner(cp, 'linux-x86_64');
  try {
    const [job] = await submitJobs(cp, {
      repo: 'local/cancel',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('long', 'linux-x86_64', amd64, ['echo started; sleep 60'])],
    });
    const running = await waitJob(cp, job!.id, (j) => j.status === 'running');
    for (let i = 0; i < 100 && !/: started$/m.test(await logText(cp, running)); i++) await new Promise((res) => setTimeout(res, 100));
    const t0 = Date.now();
    await cp.svc.store.jobs.requestCancel(job!.id, 'cancelled by a test');
    const done = await waitJob(cp, job!.id, (j) => j.status === 'cancelled', 10_000);
    const took = Date.now() - t0;
    assert.ok(took < 2500, `cancel took ${took} ms`);
    assert.equal(done.reason, 'cancelled by a test');
  } finally {
    await r.stop(0);
  }
});

test('SIGTERM hands an unfinished job back; another runner runs it to the end', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'a.txt': 'a' });
  const first = await testRunner(cp, 'linux-x86_64', { id: 'runner-leaving' });
  const [job] = await submitJobs(cp, {
    repo: 'local/handback',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [plannedJob('handback', 'linux-x86_64', amd64, ['sleep 4; echo finished'])],
  });
  await waitJob(cp, job!.id, (j) => j.status === 'running' && j.runnerId === 'runner-leaving');
  const { handedBack } = await first.stop(300);
  assert.deepEqual(handedBack, [job!.id]);
  const requeued = await cp.svc.store.jobs.get(job!.id);
  assert.equal(requeued?.status, 'queued');
  const second = await testRunner(cp, 'linux-x86_64', { id: 'runner-staying' });
  try {
    const done = await waitJob(cp, job!.id, (j) => j.status === 'passed');
    assert.equal(done.runnerId, 'runner-staying');
    assert.equal(done.attempt, 2);
    assert.match(await logText(cp, { ...done, attempt: 1 }), /goes back to the queue/);
  } finally {
    await second.stop(0);
  }
});

test('an urgent job is taken before bulk jobs queued earlier', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'a.txt': 'a' });
  const bulk = await submitJobs(cp, {
    repo: 'local/prio',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [1, 2, 3].map((i) => plannedJob(`bulk-${i}`, 'linux-x86_64', amd64, ['true'], { priority: 'bulk' })),
  });
  const [urgent] = await submitJobs(cp, {
    repo: 'local/prio',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [plannedJob('urgent', 'linux-x86_64', amd64, ['true'])],
  });
  const r = await testRunner(cp, 'linux-x86_64');
  try {
    const all = await Promise.all([urgent!, ...bulk].map((j) => waitJob(cp, j.id, (x) => x.status === 'passed')));
    const started = all.map((j) => ({ name: j.name, at: j.startedAt ?? '' })).sort((a, b) => a.at.localeCompare(b.at));
    assert.equal(started[0]?.name, 'urgent');
  } finally {
    await r.stop(0);
  }
});

test('a starting runner removes the step containers of its earlier process whose job it no longer holds; other runners\' are kept', async (t) => {
  if (skip) return t.skip(skip);
  const Docker = (await import('dockerode')).default;
  const docker = new Docker();
  const src = gitRepo({ 'a.txt': 'a' });
  const [job] = await submitJobs(cp, {
    repo: 'local/orphans',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [plannedJob('finished-long-ago', 'linux-s390x', amd64, ['true'])],
  });
  await cp.svc.store.jobs.requestCancel(job!.id);
  // What a runner killed mid-step leaves behind.
  const id = `orphans-${job!.id.slice(-6)}`;
  const orphan = await docker.createContainer({ name: `cid-${job!.id}-step3-abc123`, Image: amd64, Cmd: ['sleep', '60'], Labels: { 'cid.runner': id }, HostConfig: { NetworkMode: 'none' } });
  await orphan.start();
  // Another runner (or another deployment's) shares the host: its containers are not ours to judge. Kept.
  const foreign = await docker.createContainer({ name: `cid-${job!.id}-step2-def456`, Image: amd64, Cmd: ['sleep', '60'], Labels: { 'cid.runner': 'another-runner' }, HostConfig: { NetworkMode: 'none' } });
  await foreign.start();
  const r = await testRunner(cp, 'linux-x86_64', { id });
  try {
    await assert.rejects(orphan.inspect(), /no such container/i);
    assert.equal((await foreign.inspect()).State.Running, true, "another deployment's container is left alone");
  } finally {
    await r.stop(0);
    await orphan.remove({ force: true }).catch(() => undefined);
    await foreign.remove({ force: true }).catch(() => undefined);
  }
});

test('a networked step that flakes is run again from the runner setting, and the runner counts the retry', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'y.txt': 'y' });
  // The cache volume carries "already tried" from the first attempt to the second.
  const flaky = 'if [ -f /cache/tried ]; then echo fetched; else touch /cache/tried; echo "curl: (6) Could not resolve host: opam.ocaml.org"; exit 1; fi';
  const base = plannedJob('flaky-network', 'linux-x86_64', amd64, []);
  const step = { op: 'run' as const, shell: flaky, network: true, cache: [{ id: `retry-${src.sha.slice(0, 8)}`, target: '/cache' }] };
  const r = await testRunner(cp, 'linux-x86_64', { env: { CID_METRICS_PORT: '0', CID_RUNNER_NETWORK_RETRIES: '1' } });
  try {
    const [job] = await submitJobs(cp, {
      repo: 'local/flaky',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [{ ...base, spec: { ...base.spec, steps: [...base.spec.steps, step] } }],
    });
    const done = await waitJob(cp, job!.id, (j) => j.status !== 'queued' && j.status !== 'running');
    assert.equal(done.status, 'passed', done.reason);
    const log = await logText(cp, done);
    assert.match(log, /\[cid\] retrying step 3 .*after a network failure: curl: \(6\) Could not resolve host: opam\.ocaml\.org, attempt 2 of 2$/m);
    assert.match(log, /: fetched$/m);
    assert.ok(r.metricsServer, 'the runner serves its metrics');
    const metrics = await (await fetch(r.metricsServer.url)).text();
    assert.match(metrics, /^cid_runner_network_retries_total\{[^}]*tool="curl"[^}]*\} 1$/m);
  } finally {
    await r.stop(0);
  }
});
