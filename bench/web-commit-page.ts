// The commit page of a pipeline with 60 jobs (various states, a few dropped platforms), served by
// the control plane on the embedded stack: time per request over HTTP (store reads + render) and
// the render alone, p50/p99. Goal: p99 < 50 ms.
// Run: npx tsx bench/web-commit-page.ts
import { performance } from 'node:perf_hooks';
import type { JobStatus, PlannedJob } from '../lib/contract/index.ts';
import { pipelineId } from '../lib/contract/index.ts';
import { addJobs, startPipeline } from '../app/pipelines/index.ts';
import { commitPage } from '../app/web/views/index.ts';
import { readCommit } from '../app/web/queries.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { isMain, percentile, round } from './support/load.ts';

const REPO = 'bench/sixty';
const SHA = 'b'.repeat(40);
const STATES: JobStatus[] = ['passed', 'passed', 'passed', 'failed', 'running', 'queued', 'cancelled', 'passed', 'errored', 'passed'];

function planned(i: number): PlannedJob {
  const distros = ['debian-12', 'debian-13', 'ubuntu-24.04', 'fedora-42', 'alpine-3.21', 'opensuse-15.6'];
  const versions = ['4.14', '5.0', '5.1', '5.2', '5.3', '5.4', '4.08', '4.10', '4.12', '5.4_arm64'];
  return {
    name: `${distros[i % distros.length]}-${versions[Math.floor(i / distros.length) % versions.length]}_opam-2.3`,
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    experimental: i % 13 === 0,
    spec: { from: 'ocaml/opam:debian-12-ocaml-5.3', steps: [{ op: 'run', shell: 'opam exec -- dune build @install @runtest', network: false, cache: [] }] },
  };
}

export async function run(opts: { requests?: number; warmup?: number } = {}) {
  const requests = opts.requests ?? 300;
  const warmup = opts.warmup ?? 30;
  const cp = await startTestControlPlane({}, { consumeResults: false, consumeEvents: false, sweeper: false });
  try {
    const svc = cp.svc;
    await svc.store.repositories.add({ name: REPO, description: 'sixty jobs', kind: 'git', url: `https://github.com/${REPO}`, private: false, defaultBranch: 'main', active: true });
    const source = { kind: 'github' as const, repo: REPO, sha: SHA, cloneUrl: `https://github.com/${REPO}.git`, fromFork: false };
    await startPipeline(svc, { repo: REPO, sha: SHA, ref: 'refs/heads/main', source });
    const pipeline = await svc.store.pipelines.get(pipelineId(REPO, SHA));
    if (!pipeline) throw new Error('no pipeline');
    const jobs = await addJobs(svc, pipeline, source, Array.from({ length: 59 }, (_, i) => planned(i)));
    await svc.store.pipelines.update(pipeline.id, { dropped: Array.from({ length: 8 }, (_, i) => ({ variant: `macos-homebrew-5.${i}_opam-2.3`, reason: 'no runner for macos-x86_64' })) });
    const stale = new Date(0).toISOString();
    for (const [i, j] of jobs.entries()) {
      const state = STATES[i % STATES.length] as JobStatus;
      if (state === 'queued') continue;
      await svc.store.jobs.claim(j.id, { runnerId: 'bench', generation: j.generation, staleBefore: stale });
      if (state !== 'running') await svc.store.jobs.finish(j.id, 'bench', { status: state as 'passed', ...(state === 'passed' ? {} : { reason: 'exit status 1: dune build @install @runtest' }) });
    }
    const url = `${cp.url}/github/${REPO}/commit/${SHA}`;
    const http: number[] = [];
    let bytes = 0;
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now();
      const res = await fetch(url);
      const body = await res.text();
      const dt = performance.now() - t0;
      if (res.status !== 200) throw new Error(`commit page answered ${res.status}`);
      if (i >= warmup) http.push(dt);
      bytes = body.length;
    }
    // The render alone, from data already read.
    const repo = await svc.store.repositories.find(REPO);
    const data = await readCommit(svc, repo, SHA);
    const render: number[] = [];
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now();
      commitPage({ canSignIn: false, path: '/' }, { repo, ...data, canWrite: true });
      if (i >= warmup) render.push(performance.now() - t0);
    }
    const p99 = percentile(http, 99);
    return {
      name: 'web commit page, 60 jobs',
      jobs: data.jobs.length,
      requests,
      pageBytes: bytes,
      httpP50Ms: round(percentile(http, 50), 2),
      httpP99Ms: round(p99, 2),
      renderP50Ms: round(percentile(render, 50), 3),
      renderP99Ms: round(percentile(render, 99), 3),
      goalMs: 50,
      withinGoal: p99 < 50,
    };
  } finally {
    await cp.stop();
  }
}

if (isMain(import.meta.url)) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
  if (!figures.withinGoal) process.exitCode = 1;
}
