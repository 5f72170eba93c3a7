import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePushPayload } from '../../support/webhooks.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { pipelineId, type AnalysisResult } from '../../../lib/contract/index.ts';
import { SUMMARY_INTERVAL_MS, summaryCheckKey } from '../../../app/github/index.ts';
import { handleResult } from '../../../app/results/index.ts';
import type { ResultMessage } from '../../../lib/contract/index.ts';

let h: Harness;
const INST = 99;
const REPO = 'ocaml/results';
before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

let n = 0;

/** Applies a message here and now (again while the harness's own consumer holds the pipeline). */
async function apply(msg: ResultMessage): Promise<void> {
  await until(async () => (await handleResult(h.cp.svc, msg)) === 'done', { what: `${msg.type} applied` });
}
const summaryRecord = (pid: string) => h.cp.svc.store.reports.get(summaryCheckKey(pid));
const newSha = () => (++n).toString(16).padStart(40, 'b');
const spec = { from: 'ocaml/opam:debian-12-ocaml-5.3', steps: [{ op: 'run' as const, shell: 'dune build', network: false, cache: [] }] };

async function finishAnalysis(sha: string, result: { status: 'passed' | 'failed'; reason?: string; output?: unknown }) {
  const pid = pipelineId(REPO, sha);
  const id = jobIdFor(pid, '(analysis)');
  await h.cp.svc.store.jobs.claim(id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  await h.cp.svc.store.jobs.finish(id, 'r', result);
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: id, status: result.status });
  return pid;
}

async function queued(pool: 'linux-x86_64' | 'linux-arm64'): Promise<string[]> {
  const url = h.cp.svc.queues.jobQueueUrl(pool, 'urgent');
  const out: string[] = [];
  for (;;) {
    const ms = await h.cp.svc.queues.receive(url, { max: 10, waitSeconds: 0 });
    if (ms.length === 0) return out;
    for (const m of ms) {
      out.push((JSON.parse(m.Body ?? '') as { jobId: string }).jobId);
      await h.cp.svc.queues.delete(url, m.ReceiptHandle ?? '');
    }
  }
}

test("an analysis result becomes jobs queued on their pools, each with a check run, and the summary lists them", async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  await queued('linux-x86_64');
  const output: AnalysisResult = {
    jobs: [
      { name: 'debian-12-5.3_opam-2.3', kind: 'build', pool: 'linux-x86_64', priority: 'urgent', spec, experimental: false },
      { name: 'debian-12-5.3_arm64_opam-2.3', kind: 'build', pool: 'linux-arm64', priority: 'urgent', spec, experimental: false },
      { name: '(lint-fmt)', kind: 'lint', pool: 'linux-x86_64', priority: 'urgent', spec, experimental: false },
    ],
    dropped: [{ variant: 'debian-12-4.14_opam-2.3', reason: 'ocaml >= 5.0 required' }],
    info: { roots: ['alpha.dev'], pinned: [], monorepo: false },
  };
  const pid = await finishAnalysis(sha, { status: 'passed', output });
  const runs = await until(async () => {
    const rs = h.fake.state.checkRuns.filter((c) => c.head_sha === sha);
    return rs.length === 5 && rs.find((c) => c.name === 'cid')?.output.summary?.includes('lint-fmt') && rs;
  }, { what: 'five check runs' });
  assert.deepEqual(runs.map((r) => r.name).sort(), ['(analysis)', '(lint-fmt)', 'cid', 'debian-12-5.3_arm64_opam-2.3', 'debian-12-5.3_opam-2.3']);
  assert.equal(runs.find((r) => r.name === '(analysis)')?.conclusion, 'success');
  const summary = runs.find((r) => r.name === 'cid')?.output.summary ?? '';
  assert.match(summary, /✅ \[\(analysis\) \(passed\)\]/);
  assert.match(summary, /🟠 \[debian-12-5.3_arm64_opam-2.3 \(active\)\]/);
  assert.match(summary, /debian-12-4.14_opam-2.3 \(not built: ocaml >= 5.0 required\)/);
  assert.deepEqual((await queued('linux-arm64')).length, 1);
  assert.deepEqual((await queued('linux-x86_64')).length, 2);
  const p = await h.cp.svc.store.pipelines.get(pid);
  assert.equal(p?.status, 'running');
  assert.deepEqual(p?.dropped, output.dropped);
  assert.deepEqual(h.fake.state.invalidRequests, []);

  // The same result again (a redelivered message) creates and queues nothing more.
  await apply({ type: 'job-updated', jobId: jobIdFor(pid, '(analysis)'), status: 'passed' });
  assert.equal((await h.cp.svc.store.jobs.listByPipeline(pid)).length, 4);
  assert.deepEqual(await queued('linux-x86_64'), []);

  // When every job passes, the summary completes with success.
  for (const j of await h.cp.svc.store.jobs.listByPipeline(pid)) {
    if (j.status !== 'queued') continue;
    await h.cp.svc.store.jobs.claim(j.id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
    await h.cp.svc.store.jobs.finish(j.id, 'r', { status: 'passed' });
    await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: j.id, status: 'passed' });
  }
  await until(async () => h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === 'cid')?.conclusion === 'success', { what: 'summary success' });
  assert.equal((await h.cp.svc.store.pipelines.get(pid))?.status, 'passed');
});

test('a pipeline whose analysis passed but whose plan is still on the queue is running, not passed', async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  const pid = pipelineId(REPO, sha);
  const id = jobIdFor(pid, '(analysis)');
  const output: AnalysisResult = {
    jobs: [{ name: 'late_opam-2.3', kind: 'build', pool: 'linux-x86_64', priority: 'urgent', spec, experimental: false }],
    dropped: [],
    info: { roots: ['alpha.dev'], pinned: [], monorepo: false },
  };
  // The runner has finished the analysis, but its job-updated message is not handled yet; a
  // pipeline-changed message (as the push sends) is handled first. This was a race seen in CI.
  await h.cp.svc.store.jobs.claim(id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  await h.cp.svc.store.jobs.finish(id, 'r', { status: 'passed', output });
  // The consumer running beside may hold the pipeline's lease for a moment ('retry'): until it is ours.
  await until(async () => (await handleResult(h.cp.svc, { type: 'pipeline-changed', pipelineId: pid })) === 'done', { what: 'the pipeline-changed message applied' });
  assert.equal((await h.cp.svc.store.pipelines.get(pid))?.status, 'running');
  assert.notEqual(h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === 'cid')?.status, 'completed');
  // Then the analysis result is applied: the build job exists and the pipeline is still running.
  await until(async () => (await handleResult(h.cp.svc, { type: 'job-updated', jobId: id, status: 'passed' })) === 'done', { what: 'the analysis result applied' });
  const p = await h.cp.svc.store.pipelines.get(pid);
  assert.equal(p?.status, 'running');
  assert.equal(p?.planned, true);
  assert.deepEqual((await h.cp.svc.store.jobs.listByPipeline(pid)).map((j) => j.name).sort(), ['(analysis)', 'late_opam-2.3']);
});

test('an analysis failure fails the pipeline with its message in the check runs', async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  const pid = await finishAnalysis(sha, { status: 'failed', reason: 'No opam files found!' });
  const summary = await until(async () => {
    const s = h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === 'cid');
    return s?.conclusion === 'failure' && s.output.title === 'Analysis failed' && s;
  }, { what: 'failed summary with the analysis error' });
  assert.match(summary.output.summary ?? '', /❌ No opam files found!/);
  assert.equal(summary.output.title, 'Analysis failed');
  assert.equal((await h.cp.svc.store.pipelines.get(pid))?.status, 'failed');
});

test('an invalid analysis result fails the pipeline with a readable message, not a crash', async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  const pid = await finishAnalysis(sha, { status: 'passed', output: { jobs: [{ name: 'x', kind: 'nope' }] } });
  const p = await until(async () => {
    const x = await h.cp.svc.store.pipelines.get(pid);
    return x?.status === 'failed' && x;
  }, { what: 'pipeline failed' });
  assert.match(p.error ?? '', /analysis produced an invalid result/);
  assert.match(p.error ?? '', /kind/);
});

test('GitHub 5xx while syncing checks is retried and nothing is lost', async () => {
  const sha = newSha();
  h.fake.failNext({ method: 'POST', pathPattern: /check-runs$/, status: 502, count: 2 });
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  await until(async () => h.fake.state.checkRuns.filter((c) => c.head_sha === sha).length === 2, { what: 'check runs after 502s', timeoutMs: 20_000 });
  assert.equal(h.fake.state.checkRuns.filter((c) => c.head_sha === sha && c.name === 'cid').length, 1, 'no duplicate summary');
});

test('while a pipeline runs its summary is rewritten at most once per interval; no-op changes cost nothing; completion is written at once', async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  const names = ['a_opam-2.3', 'b_opam-2.3', 'c_opam-2.3', 'd_opam-2.3'];
  const output: AnalysisResult = {
    jobs: names.map((name) => ({ name, kind: 'build' as const, pool: 'linux-x86_64' as const, priority: 'urgent' as const, spec, experimental: false })),
    dropped: [],
    info: { roots: ['alpha.dev'], pinned: [], monorepo: false },
  };
  const pid = await finishAnalysis(sha, { status: 'passed', output });
  const summaryRun = () => h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === 'cid');
  // New jobs are a change of shape: shown at once.
  await until(async () => summaryRun()?.output.summary?.includes('d_opam-2.3'), { what: 'the summary listing the jobs' });
  await until(async () => (await summaryRecord(pid))?.shape?.endsWith(':5'), { what: 'the summary recorded' });
  const summaryWrites = () => h.fake.requestsFor('checks/update').filter((r) => r.path.endsWith(`/check-runs/${summaryRun()?.id}`) && r.status === 200);

  // The jobs start: the summary's check status changes, which is written at once.
  const jobs = (await h.cp.svc.store.jobs.listByPipeline(pid)).filter((j) => names.includes(j.name));
  for (const j of jobs) await h.cp.svc.store.jobs.claim(j.id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  await h.cp.svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: pid });
  await until(async () => (await summaryRecord(pid))?.shape === 'in_progress:5', { what: 'the summary in progress' });
  const before = summaryWrites().length;
  const recordedAt = (await summaryRecord(pid))?.lastAt ?? 0;

  // Three jobs end in quick succession while a fourth runs: their own check runs follow at once,
  // the summary once, after the interval, with all three.
  for (const [i, j] of jobs.slice(0, 3).entries()) {
    await h.cp.svc.store.jobs.finish(j.id, 'r', { status: i === 1 ? 'failed' : 'passed' });
    await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: j.id, status: 'passed' });
  }
  await until(async () => jobs.slice(0, 3).every((j) => h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === j.name)?.status === 'completed'), { what: 'job check runs completed' });
  await until(async () => summaryRun()?.output.title === '3 passed, 1 failed, 1 active', { what: 'the deferred summary', timeoutMs: 30_000 });
  const writes = summaryWrites();
  assert.equal(writes.length - before, 1, 'the three changes were coalesced into one summary write');
  // The consumer records the write once GitHub has answered.
  const p = await until(async () => {
    const x = await summaryRecord(pid);
    return (x?.lastAt ?? 0) > recordedAt && x;
  }, { what: 'the write recorded' });
  assert.ok(p.lastAt! - recordedAt >= SUMMARY_INTERVAL_MS, 'the write waited for the interval');

  // A redelivered message with nothing new writes nothing.
  await apply({ type: 'pipeline-changed', pipelineId: pid });
  assert.equal(summaryWrites().length, writes.length);

  // Completion is written without waiting for the interval since the last write.
  const lastJob = jobs[3];
  assert.ok(lastJob);
  await h.cp.svc.store.jobs.finish(lastJob.id, 'r', { status: 'passed' });
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: lastJob.id, status: 'passed' });
  await until(async () => summaryRun()?.conclusion === 'failure', { what: 'the summary completed' });
  assert.equal(summaryRun()?.output.title, '4 passed, 1 failed, 0 active');
  const last = await until(async () => {
    const x = await summaryRecord(pid);
    return x?.shape?.startsWith('completed:') && x;
  }, { what: 'the completion recorded' });
  assert.ok(last.lastAt! - p.lastAt! < SUMMARY_INTERVAL_MS, 'completion did not wait for the interval');
  assert.deepEqual(h.fake.state.invalidRequests, []);
});
