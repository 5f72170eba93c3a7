// Benchmark: the Docker executor against plain containers, and its step cache.
// (a) overhead: a job of 5 trivial steps through executeBuild (cache off) ÷ the same 5 commands as
//     bare containers (create, attach, start, wait, remove: `docker run --rm`), interleaved, median.
//     Goal ≤ 1.5×.
// (b) cache: the same job again ÷ its cold run (goal ≤ 0.10), and a job whose last step changed
//     (only that step runs again).
// (c) for reference, no goal: 5 steps that each write a file, so every step's result is committed
//     as an image (trivial steps change no file, and the executor then skips the commit).
// Needs a Docker engine; builds the busybox test image on first use.
// Run: npx tsx bench/runner-executor.ts [repetitions]
import Docker from 'dockerode';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { BuildSpecInput } from '../lib/contract/index.ts';
import { cacheRef, executeBuild, StepLogStore } from '../runner/docker/index.ts';
import type { BuildResult, ResourceLimits } from '../runner/docker/index.ts';
import { busyboxImage } from '../test/support/images.ts';

export interface ExecutorBenchFigures {
  name: string;
  image: string;
  repetitions: number;
  steps: number;
  overhead: {
    executorMedianMs: number;
    plainMedianMs: number;
    ratio: number;
    goal: number;
    withinGoal: boolean;
    executorRunsMs: number[];
    plainRunsMs: number[];
  };
  writingSteps: {
    executorMedianMs: number;
    plainMedianMs: number;
    ratio: number;
  };
  cache: {
    coldMedianMs: number;
    warmMedianMs: number;
    ratio: number;
    goal: number;
    withinGoal: boolean;
    lastStepChangedMedianMs: number;
    lastStepChangedCached: boolean[];
  };
}

const LIMITS: ResourceLimits = { memoryBytes: 256 * 1024 * 1024, nanoCpus: 1_000_000_000, pidsLimit: 256 };
const STEPS = 5;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2);
};

const commands = (tag: string): string[] =>
  Array.from({ length: STEPS }, (_, i) => (i % 2 === 0 ? `echo step-${i}-${tag}` : `true step-${i}-${tag}`));
const writing = (tag: string): string[] => Array.from({ length: STEPS }, (_, i) => `echo ${tag} > /tmp/step-${i}`);

/** The baseline: each command in a container of its own, as `docker run --rm --network none` does. */
async function plainRun(docker: Docker, image: string, cmds: string[]): Promise<void> {
  for (const cmd of cmds) {
    const c = await docker.createContainer({
      Image: image,
      Cmd: ['/bin/sh', '-c', cmd],
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      const stream = await c.attach({ stream: true, stdout: true, stderr: true });
      stream.resume();
      await c.start();
      const res = (await c.wait()) as { StatusCode: number };
      if (res.StatusCode !== 0) throw new Error(`${cmd} exited with ${res.StatusCode}`);
    } finally {
      await c.remove({ force: true });
    }
  }
}

export async function run(repetitions = 5): Promise<ExecutorBenchFigures> {
  const docker = new Docker();
  await docker.ping();
  const image = await busyboxImage('amd64', docker);
  const logDir = await mkdtemp(join(tmpdir(), 'cid-bench-step-logs-'));
  const logStore = new StepLogStore(logDir);
  const keys = new Set<string>();
  const job = async (spec: BuildSpecInput, cache: boolean): Promise<{ ms: number; result: BuildResult }> => {
    const t0 = performance.now();
    const result = await executeBuild({
      docker,
      spec,
      sourceDir: tmpdir(),
      pool: 'linux-x86_64',
      jobId: `bench-${randomBytes(3).toString('hex')}`,
      limits: LIMITS,
      timeoutMs: 300_000,
      onLog: () => undefined,
      cachePrefix: 'cid-bench',
      cache,
      logStore,
    });
    const ms = performance.now() - t0;
    if (result.status !== 'passed') throw new Error(`benchmark job ${result.status}`);
    for (const s of result.steps) keys.add(s.key);
    return { ms, result };
  };
  const specOf = (cmds: string[]): BuildSpecInput => ({ from: image, steps: cmds.map((shell) => ({ op: 'run', shell })) });

  try {
    // Warm-up: first container of a process pays for connections and page cache.
    await plainRun(docker, image, ['true']);
    await job(specOf(['true']), false);

    const executorRunsMs: number[] = [];
    const plainRunsMs: number[] = [];
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const changedMs: number[] = [];
    const writingExecutorMs: number[] = [];
    const writingPlainMs: number[] = [];
    let lastStepChangedCached: boolean[] = [];
    for (let r = 0; r < repetitions; r++) {
      // Interleaved, so load from elsewhere on the machine weighs on both sides alike.
      const tag = randomBytes(4).toString('hex');
      let t0 = performance.now();
      await plainRun(docker, image, commands(tag));
      plainRunsMs.push(Math.round(performance.now() - t0));
      executorRunsMs.push(Math.round((await job(specOf(commands(tag)), false)).ms));

      const cold = await job(specOf(commands(`c${tag}`)), true);
      coldMs.push(Math.round(cold.ms));
      const warm = await job(specOf(commands(`c${tag}`)), true);
      if (!warm.result.steps.every((s) => s.cached)) throw new Error('the warm run missed the cache');
      warmMs.push(Math.round(warm.ms));
      const changed = [...commands(`c${tag}`).slice(0, STEPS - 1), `echo changed-${tag}`];
      t0 = performance.now();
      const last = await job(specOf(changed), true);
      changedMs.push(Math.round(performance.now() - t0));
      lastStepChangedCached = last.result.steps.map((s) => s.cached);

      t0 = performance.now();
      await plainRun(docker, image, writing(tag));
      writingPlainMs.push(Math.round(performance.now() - t0));
      writingExecutorMs.push(Math.round((await job(specOf(writing(tag)), false)).ms));
    }

    const executorMedianMs = median(executorRunsMs);
    const plainMedianMs = median(plainRunsMs);
    const ratio = Math.round((executorMedianMs / plainMedianMs) * 100) / 100;
    const coldMedianMs = median(coldMs);
    const warmMedianMs = median(warmMs);
    const cacheRatio = Math.round((warmMedianMs / coldMedianMs) * 1000) / 1000;
    return {
      name: 'runner executor: 5 trivial steps (busybox, vfs)',
      image,
      repetitions,
      steps: STEPS,
      overhead: { executorMedianMs, plainMedianMs, ratio, goal: 1.5, withinGoal: ratio <= 1.5, executorRunsMs, plainRunsMs },
      writingSteps: {
        executorMedianMs: median(writingExecutorMs),
        plainMedianMs: median(writingPlainMs),
        ratio: Math.round((median(writingExecutorMs) / median(writingPlainMs)) * 100) / 100,
      },
      cache: {
        coldMedianMs,
        warmMedianMs,
        ratio: cacheRatio,
        goal: 0.1,
        withinGoal: cacheRatio <= 0.1,
        lastStepChangedMedianMs: median(changedMs),
        lastStepChangedCached,
      },
    };
  } finally {
    for (const key of [...keys].reverse()) await docker.getImage(cacheRef(key)).remove().catch(() => undefined);
    await rm(logDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Only when run directly: under bench/run.ts the arguments are benchmark names.
  const figures = await run(Number(process.argv[2] ?? 5) || 5);
  console.log(JSON.stringify(figures, null, 2));
  if (!figures.overhead.withinGoal || !figures.cache.withinGoal) process.exitCode = 1;
}
