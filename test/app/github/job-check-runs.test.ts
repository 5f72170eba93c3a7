// The control plane alone writes a job's check run: in progress when the job starts, completed
// with the summary, the log's tail (read from the logs store) and the runner's annotations (from
// the job's report, 50 per request), all with the App's own installation token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePushPayload } from '../../support/webhooks.ts';
import { jobIdFor, logIdFor } from '../../../app/store/index.ts';
import { pipelineId, type CheckRunAnnotation } from '../../../lib/contract/index.ts';

let h: Harness;
const INST = 4242;
const REPO = 'ocaml/checks';
before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

let n = 0;
const newSha = () => (++n).toString(16).padStart(40, 'c');

/** A pushed commit's (analysis) job, claimed by a runner: its check run and its id. */
async function started(sha: string) {
  await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  const id = jobIdFor(pipelineId(REPO, sha), '(analysis)');
  await until(async () => h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === '(analysis)'), { what: 'the queued check run' });
  const job = await h.cp.svc.store.jobs.claim(id, { runnerId: 'runner-7', generation: 1, staleBefore: new Date(0).toISOString() });
  assert.ok(job);
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: id, status: 'running' });
  const run = await until(async () => {
    const c = h.fake.state.checkRuns.find((x) => x.head_sha === sha && x.name === '(analysis)');
    return c?.status === 'in_progress' && c;
  }, { what: 'the check run in progress' });
  assert.equal(run.output.summary, '(analysis): running (attempt 1)');
  return { id, job };
}

const annotation = (i: number): CheckRunAnnotation => ({
  path: `src/file${i}.ml`,
  start_line: i + 1,
  end_line: i + 1,
  annotation_level: 'failure',
  title: 'Error',
  message: `Unbound value x${i}`,
});

test("a finished job's check run: conclusion, summary, the log's tail and 120 annotations in three requests, by the App", async () => {
  const sha = newSha();
  const { id, job } = await started(sha);
  // A log of three 50 KiB chunks: only its last 60 KiB are shown.
  const logId = logIdFor(id, job.generation, job.attempt);
  const chunk = (tag: string) => `${tag}\n${'x'.repeat(50 * 1024)}\n`;
  await h.cp.svc.store.logs.append(logId, 0, chunk('FIRST-CHUNK-MARKER'));
  await h.cp.svc.store.logs.append(logId, 1, chunk('SECOND-CHUNK-MARKER'));
  await h.cp.svc.store.logs.append(logId, 2, `${chunk('THIRD-CHUNK-MARKER')}the last line: Error\n`);
  const annotations = Array.from({ length: 120 }, (_, i) => annotation(i));
  await h.cp.svc.store.jobs.finish(id, 'runner-7', { status: 'failed', reason: 'exit 2', report: { annotations, cacheHits: 3, cacheMisses: 1 } });
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: id, status: 'failed' });

  const run = await until(async () => {
    const c = h.fake.state.checkRuns.find((x) => x.head_sha === sha && x.name === '(analysis)');
    return c?.status === 'completed' && c.annotations.length === 120 && c;
  }, { what: 'the completed check run with its annotations' });
  assert.equal(run.conclusion, 'failure');
  assert.equal(run.output.title, 'failed: exit 2');
  assert.match(run.output.summary ?? '', /\*\*\(analysis\)\*\*: failed \(exit 2\)/);
  assert.match(run.output.summary ?? '', /Attempt 1 on runner `runner-7` \(linux-x86_64\)\./);
  assert.match(run.output.summary ?? '', /Steps from cache: 3, run: 1\./);
  assert.match(run.output.summary ?? '', /120 compiler diagnostics are shown as annotations\./);
  const text = run.output.text ?? '';
  assert.ok(text.startsWith('```\n') && text.endsWith('the last line: Error\n\n```'), text.slice(-100));
  assert.ok(text.includes('THIRD-CHUNK-MARKER'));
  assert.ok(!text.includes('SECOND-CHUNK-MARKER') && !text.includes('FIRST-CHUNK-MARKER'), 'only the tail');
  assert.ok(text.length <= 65_535);
  assert.deepEqual(run.annotations.map((a) => a.path), annotations.map((a) => a.path));

  // The completing update, then one per further 50 annotations.
  const completing = run.calls.slice(run.calls.findIndex((c) => c.body.status === 'completed'));
  assert.deepEqual(completing.map((c) => ((c.body.output as { annotations?: unknown[] }).annotations ?? []).length), [50, 50, 20]);
  // Every call on the check run was the App's: its installation token, not one minted for a runner.
  for (const c of run.calls) {
    assert.equal(c.auth.kind, 'installation');
    assert.equal(h.fake.tokenInfo(c.auth.token!)?.repositories, null);
  }
  assert.deepEqual(h.fake.state.invalidRequests, []);
});

test('a job that timed out is shown as timed_out; a redelivered result writes nothing more', async () => {
  const sha = newSha();
  const { id } = await started(sha);
  await h.cp.svc.store.jobs.finish(id, 'runner-7', { status: 'failed', reason: 'over its 600 s limit', report: { annotations: [], timedOut: true } });
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: id, status: 'failed' });
  const run = await until(async () => {
    const c = h.fake.state.checkRuns.find((x) => x.head_sha === sha && x.name === '(analysis)');
    return c?.status === 'completed' && c;
  }, { what: 'the completed check run' });
  assert.equal(run.conclusion, 'timed_out');
  const calls = run.calls.length;
  const { handleResult } = await import('../../../app/results/index.ts');
  await until(async () => (await handleResult(h.cp.svc, { type: 'job-updated', jobId: id, status: 'failed' })) === 'done', { what: 'the redelivery applied' });
  assert.equal(h.fake.state.checkRuns.find((x) => x.head_sha === sha && x.name === '(analysis)')?.calls.length, calls);
});
