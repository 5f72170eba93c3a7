import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startTestControlPlane } from '../../support/control-plane.ts';
import { ensureDocker, busyboxImage } from '../../support/images.ts';
import { RUNNER_CP_ENV, gitRepo, logText, plannedJob, submitJobs, testRunner, waitJob } from '../../support/runner-harness.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import type { Job } from '../../../lib/contract/index.ts';

// A commit's source is fetched once per runner (runner/source/source-cache.ts), after its base
// image is known to be there. Fetches are counted from the runner's own metrics and job logs.

let cp: ControlPlane;
let amd64: string;
let skip: string | false = false;

before(async () => {
  const engine = await ensureDocker();
  skip = engine.skip;
  if (skip) return;
  amd64 = await busyboxImage('amd64');
  cp = await startTestControlPlane({ ...RUNNER_CP_ENV });
});
after(async () => {
  await cp?.stop();
});

const FETCHING = /\[cid\] fetching /;
const REUSED = /\[cid\] \S+: the source fetched on this runner for another job of the commit$/m;
const final = (j: Job) => j.status !== 'queued' && j.status !== 'running';

async function fetchCounts(url: string): Promise<Record<'fetched' | 'reused' | 'failed', number>> {
  const text = await (await fetch(url)).text();
  const count = (result: string) => Number(new RegExp(`^cid_runner_source_fetches_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { fetched: count('fetched'), reused: count('reused'), failed: count('failed') };
}

test('jobs of one commit on one runner, two at a time: the source is fetched once and each job builds it unchanged', async (t) => {
  if (skip) return t.skip(skip);
  const files: Record<string, string> = { 'hello.txt': 'hello from the source\n' };
  for (let i = 0; i < 300; i++) files[`src/m${i}.ml`] = `let v = ${i}\n`;
  const src = gitRepo(files);
  const r = await testRunner(cp, 'linux-x86_64', { env: { CID_METRICS_PORT: '0', CID_RUNNER_CONCURRENCY: '2' } });
  try {
    const names = ['a', 'b', 'c', 'd'].map((n) => `${n}-${randomBytes(3).toString('hex')}`);
    const jobs = await submitJobs(cp, {
      repo: 'local/shared-source',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      // Each job changes its copy inside its container: never what the next job gets.
      jobs: names.map((n) => plannedJob(n, 'linux-x86_64', amd64, ['cat hello.txt; ls src | wc -l', `echo changed-by-${n} > hello.txt; rm -r src`])),
    });
    const done = await Promise.all(jobs.map((j) => waitJob(cp, j.id, final)));
    for (const j of done) assert.equal(j.status, 'passed', j.reason);
    const logs = await Promise.all(done.map((j) => logText(cp, j)));
    for (const log of logs) {
      assert.match(log, /: hello from the source$/m);
      assert.match(log, /: 300$/m);
    }
    assert.equal(logs.filter((l) => FETCHING.test(l)).length, 1, 'one job fetched');
    assert.equal(logs.filter((l) => REUSED.test(l)).length, 3, 'the others used its tree');
    assert.ok(r.metricsServer);
    assert.deepEqual(await fetchCounts(r.metricsServer.url), { fetched: 1, reused: 3, failed: 0 });
  } finally {
    await r.stop(0);
  }
});

test('a failed fetch is not kept: the next job of the commit fetches again', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'hello.txt': 'back again\n' });
  const away = `${src.path}-away`;
  renameSync(src.path, away);
  const r = await testRunner(cp, 'linux-x86_64', { env: { CID_METRICS_PORT: '0' } });
  try {
    const submit = async (name: string) =>
      (
        await submitJobs(cp, {
          repo: 'local/refetch',
          sha: src.sha,
          source: { kind: 'local', path: src.path, sha: src.sha },
          jobs: [plannedJob(`${name}-${randomBytes(3).toString('hex')}`, 'linux-x86_64', amd64, ['cat hello.txt'])],
        })
      )[0]!;
    const first = await waitJob(cp, (await submit('first')).id, final);
    assert.equal(first.status, 'errored');
    assert.match(first.reason ?? '', /git archive .* failed/);
    renameSync(away, src.path);
    const second = await waitJob(cp, (await submit('second')).id, final);
    assert.equal(second.status, 'passed', second.reason);
    const log = await logText(cp, second);
    assert.match(log, FETCHING);
    assert.match(log, /: back again$/m);
    assert.ok(r.metricsServer);
    assert.deepEqual(await fetchCounts(r.metricsServer.url), { fetched: 1, reused: 0, failed: 1 });
  } finally {
    await r.stop(0);
  }
});

test('a job whose base image is unavailable fails with that reason before any fetch', async (t) => {
  if (skip) return t.skip(skip);
  const src = gitRepo({ 'a.txt': 'a' });
  const r = await testRunner(cp, 'linux-x86_64', { env: { CID_METRICS_PORT: '0' } });
  try {
    const image = `cid-test/does-not-exist:${randomBytes(4).toString('hex')}`;
    const [job] = await submitJobs(cp, {
      repo: 'local/no-image',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('no-image', 'linux-x86_64', image, ['true'])],
    });
    const done = await waitJob(cp, job!.id, final);
    assert.equal(done.status, 'errored');
    assert.match(done.reason ?? '', new RegExp(`^image ${image} \\(linux/amd64\\) is unavailable: not found locally, and pulling it failed`));
    assert.doesNotMatch(await logText(cp, done), FETCHING);
    assert.ok(r.metricsServer);
    assert.deepEqual(await fetchCounts(r.metricsServer.url), { fetched: 0, reused: 0, failed: 0 });
  } finally {
    await r.stop(0);
  }
});
