// A pipeline's state is written by app/pipelines/advance.ts alone: its transitions from the
// first push through the analysis, the builds, a rebuild and a failed analysis rebuilt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane } from '../../support/control-plane.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import { advancePipeline, applyAnalysis, rebuildJob, rebuildPipeline, startPipeline } from '../../../app/pipelines/index.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import type { AnalysisResult, PipelineStatus } from '../../../lib/contract/index.ts';

let cp: ControlPlane;
before(async () => {
  // Nothing consumes the results queue: every transition here is this test's own call.
  cp = await startTestControlPlane({}, { consumeResults: false, consumeEvents: false, sweeper: false });
});
after(() => cp.stop());

const REPO = 'ocaml/advance';
let n = 0;
const newSha = () => (++n).toString(16).padStart(40, 'd');
const spec = { from: 'ocaml/opam:debian-12-ocaml-5.3', steps: [{ op: 'run' as const, shell: 'dune build', network: false, cache: [] }] };
const output: AnalysisResult = {
  jobs: ['a_opam-2.3', 'b_opam-2.3'].map((name) => ({ name, kind: 'build' as const, pool: 'linux-x86_64' as const, priority: 'urgent' as const, spec, experimental: false })),
  dropped: [],
  info: { roots: ['alpha.dev'], pinned: [], monorepo: false },
};
const claim = (id: string) => cp.svc.store.jobs.claim(id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });

async function start(): Promise<{ pid: string; analysis: string }> {
  const sha = newSha();
  const { pipelineId: pid } = await startPipeline(cp.svc, { repo: REPO, sha, ref: 'refs/heads/main', source: { kind: 'local', path: '/src', sha } });
  return { pid, analysis: jobIdFor(pid, '(analysis)') };
}

/** Advances the pipeline and checks both what it returns and what it stored. */
async function advance(pid: string, expected: PipelineStatus): Promise<void> {
  const view = await advancePipeline(cp.svc, pid);
  assert.equal(view?.pipeline.status, expected);
  assert.equal((await cp.svc.store.pipelines.get(pid))?.status, expected);
}

test('pending → running → (analysis passed, plan not yet jobs) running → failed → rebuilt: running → passed', async () => {
  const { pid, analysis } = await start();
  await advance(pid, 'pending');
  await claim(analysis);
  await advance(pid, 'running');
  await cp.svc.store.jobs.finish(analysis, 'r', { status: 'passed', output });
  // Every job has finished, but the plan is not yet jobs: still running.
  await advance(pid, 'running');
  await applyAnalysis(cp.svc, (await cp.svc.store.jobs.get(analysis))!);
  await advance(pid, 'running');
  const [a, b] = ['a_opam-2.3', 'b_opam-2.3'].map((name) => jobIdFor(pid, name)) as [string, string];
  for (const id of [a, b]) await claim(id);
  await cp.svc.store.jobs.finish(a, 'r', { status: 'passed' });
  await cp.svc.store.jobs.finish(b, 'r', { status: 'failed', reason: 'exit 1' });
  await advance(pid, 'failed');
  // A rebuild advances the pipeline at once (no separate writer sets it).
  await rebuildJob(cp.svc, b);
  assert.equal((await cp.svc.store.pipelines.get(pid))?.status, 'running');
  await cp.svc.store.jobs.claim(b, { runnerId: 'r', generation: 2, staleBefore: new Date(0).toISOString() });
  await cp.svc.store.jobs.finish(b, 'r', { status: 'passed' });
  await advance(pid, 'passed');
});

test('a failed analysis fails the pipeline; rebuilding it clears the error and the pipeline waits again', async () => {
  const { pid, analysis } = await start();
  await claim(analysis);
  await cp.svc.store.jobs.finish(analysis, 'r', { status: 'failed', reason: 'No opam files found!' });
  await applyAnalysis(cp.svc, (await cp.svc.store.jobs.get(analysis))!);
  await advance(pid, 'failed');
  assert.equal((await cp.svc.store.pipelines.get(pid))?.error, 'No opam files found!');
  const rebuilt = await rebuildPipeline(cp.svc, pid, { onlyFailed: true });
  assert.deepEqual(rebuilt.map((j) => j.name), ['(analysis)']);
  const p = await cp.svc.store.pipelines.get(pid);
  assert.equal(p?.error, '');
  assert.equal(p?.status, 'pending');
});
