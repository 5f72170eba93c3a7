// Benchmark: a commit's source fetched once per runner (runner/source/source-cache.ts) against
// every job fetching its own (CID_RUNNER_SOURCE_CACHE_ENTRIES=0, what the runner did before), on
// a repository of a few thousand files. Both are measured in the same run, on the same commit:
// (a) the source stage alone: N jobs' `git archive` + extraction through the cache, one after the
//     other and two at a time (a runner of concurrency 2);
// (b) whole jobs through a runner (concurrency 2): N build jobs of the commit, each one trivial
//     step in a busybox container, from queueing the first to the last one passing.
// Needs a Docker engine for (b); builds the busybox test image on first use.
// Run: npx tsx bench/runner-source.ts [jobs]
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fetchLocalSource } from '../runner/source/fetch-source.ts';
import { SourceCache } from '../runner/source/source-cache.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { busyboxImage } from '../test/support/images.ts';
import { RUNNER_SECRET, gitRepo, submitJobs, testRunner, waitJob } from '../test/support/runner-harness.ts';
import { isMain, percentile, round } from './support/load.ts';

const FILES = 4000;

/** A repository shaped like a mid-sized OCaml project: 4,000 files of 1–8 KiB in 200 directories. */
function bigRepo(): { path: string; sha: string; bytes: number } {
  const files: Record<string, string> = {};
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const text = `(* module ${i} *)\n${`let v${i} = "${randomBytes(24).toString('hex')}"\n`.repeat(16 + (i % 8) * 16)}`;
    files[`src/d${i % 200}/m${i}.ml`] = text;
    bytes += text.length;
  }
  return { ...gitRepo(files), bytes };
}

async function sourceStage(src: { path: string; sha: string }, jobs: number, concurrency: number, cached: boolean) {
  const cache = new SourceCache({ dir: join(mkdtempSync(join(tmpdir(), 'cid-bench-src-')), 'r'), maxEntries: cached ? 16 : 0, maxBytes: 0 });
  let fetches = 0;
  const perJob: number[] = [];
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < jobs) {
      next++;
      const t = performance.now();
      const lease = await cache.acquire(src.sha, (dir) => (fetches++, fetchLocalSource(src.path, src.sha, dir)));
      perJob.push(performance.now() - t);
      await lease.release();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const wallMs = performance.now() - t0;
  await cache.clear();
  return { wallMs: round(wallMs), fetches, perJobP50Ms: round(percentile(perJob, 50)), perJobMaxMs: round(Math.max(...perJob)) };
}

async function throughRunner(src: { path: string; sha: string }, jobs: number, cached: boolean, image: string) {
  const cp = await startTestControlPlane({ CID_RUNNER_SECRET: RUNNER_SECRET });
  const runner = await testRunner(cp, 'linux-x86_64', { env: { CID_RUNNER_CONCURRENCY: '2', CID_RUNNER_SOURCE_CACHE_ENTRIES: cached ? '16' : '0' } });
  try {
    const t0 = performance.now();
    const submitted = await submitJobs(cp, {
      repo: 'bench/source',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: Array.from({ length: jobs }, (_, i) => ({
        name: `job-${i}-${randomBytes(3).toString('hex')}`,
        kind: 'build' as const,
        pool: 'linux-x86_64' as const,
        priority: 'urgent' as const,
        experimental: false,
        // A unique command: never answered by the step cache.
        spec: { from: image, steps: [{ op: 'run' as const, shell: `echo ${randomBytes(8).toString('hex')}`, network: false, cache: [] }] },
      })),
    });
    for (const j of submitted) {
      const done = await waitJob(cp, j.id, (x) => x.status !== 'queued' && x.status !== 'running', 600_000);
      if (done.status !== 'passed') throw new Error(`job ${done.name} ${done.status}: ${done.reason}`);
    }
    return { wallMs: round(performance.now() - t0) };
  } finally {
    await runner.stop(0);
    await cp.stop();
  }
}

export async function run(opts: { jobs?: number } = {}) {
  const jobs = opts.jobs ?? 10;
  const t = performance.now();
  const src = bigRepo();
  const repoMs = performance.now() - t;
  // Warm the page cache and git's object store, so neither mode pays for a cold first read.
  await sourceStage(src, 1, 1, false);
  const stage = {
    sequential: { cached: await sourceStage(src, jobs, 1, true), baselineEveryJobFetches: await sourceStage(src, jobs, 1, false) },
    twoAtATime: { cached: await sourceStage(src, jobs, 2, true), baselineEveryJobFetches: await sourceStage(src, jobs, 2, false) },
  };
  const image = await busyboxImage('amd64');
  // Baseline first, then the cache: a second run has no advantage from the step cache (unique commands).
  const baseline = await throughRunner(src, jobs, false, image);
  const cached = await throughRunner(src, jobs, true, image);
  return {
    repository: { files: FILES, megabytes: round(src.bytes / 1e6), createdInMs: round(repoMs) },
    jobs,
    sourceStage: stage,
    sourceStageSpeedup: round(stage.sequential.baselineEveryJobFetches.wallMs / stage.sequential.cached.wallMs, 2),
    runnerConcurrency2: { cached, baselineEveryJobFetches: baseline, saved: round(baseline.wallMs - cached.wallMs) },
  };
}

if (isMain(import.meta.url)) console.log(JSON.stringify(await run({ jobs: Number(process.argv[2] ?? 10) }), null, 2));
