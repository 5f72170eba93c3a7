// Shared set-up of the executor's Docker tests: a job runner that records the log, unique inputs
// (the step cache persists between runs) and clean-up of what a test created.
import type Docker from 'dockerode';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BuildSpecInput, Pool, StepInput } from '../../../lib/contract/index.ts';
import { cacheRef, executeBuild, StepLogStore, useCacheRepo } from '../../../runner/docker/index.ts';
import type { BuildResult, ExecuteBuildOptions, ResourceLimits } from '../../../runner/docker/index.ts';

// Steps are tagged in this test run's cache repository (removed when the run ends), as a runner's
// start sets it from its config.
useCacheRepo(process.env.CID_CACHE_REPO ?? 'cid-test-cache');

export const LIMITS: ResourceLimits = { memoryBytes: 256 * 1024 * 1024, nanoCpus: 1_000_000_000, pidsLimit: 256 };

export const nonce = (): string => randomBytes(6).toString('hex');

export async function makeSource(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cid-src-'));
  await writeSource(dir, files);
  return dir;
}

export async function writeSource(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
}

export interface JobRun {
  result: BuildResult;
  log: string;
  /** When each chunk arrived (ms since the job started), for streaming checks. */
  chunks: { at: number; text: string }[];
  jobId: string;
}

/** A test's sandbox: its own log store, volume prefix and record of cache images to remove. */
export class Sandbox {
  readonly id = nonce();
  readonly cachePrefix = `cid-test-${this.id}`;
  readonly logDir = join(tmpdir(), `cid-step-logs-${this.id}`);
  readonly logStore = new StepLogStore(this.logDir);
  private readonly keys = new Set<string>();
  private jobs = 0;

  constructor(readonly docker: Docker) {}

  async run(
    spec: BuildSpecInput,
    opts: Partial<Omit<ExecuteBuildOptions, 'docker' | 'spec' | 'onLog'>> & { onLog?: (chunk: string) => void } = {},
  ): Promise<JobRun> {
    const jobId = opts.jobId ?? `t${this.id}-${++this.jobs}`;
    const chunks: JobRun['chunks'] = [];
    const t0 = Date.now();
    const result = await executeBuild({
      docker: this.docker,
      spec,
      sourceDir: opts.sourceDir ?? tmpdir(),
      pool: opts.pool ?? ('linux-x86_64' satisfies Pool),
      jobId,
      limits: opts.limits ?? LIMITS,
      timeoutMs: opts.timeoutMs ?? 120_000,
      signal: opts.signal,
      cachePrefix: opts.cachePrefix ?? this.cachePrefix,
      cache: opts.cache,
      logStore: opts.logStore ?? this.logStore,
      ...(opts.networkRetries !== undefined ? { networkRetries: opts.networkRetries } : {}),
      ...(opts.networkRetryDelayMs !== undefined ? { networkRetryDelayMs: opts.networkRetryDelayMs } : {}),
      ...(opts.onNetworkRetry !== undefined ? { onNetworkRetry: opts.onNetworkRetry } : {}),
      onLog: (text) => {
        chunks.push({ at: Date.now() - t0, text });
        opts.onLog?.(text);
      },
    });
    for (const s of result.steps) this.keys.add(s.key);
    return { result, log: chunks.map((c) => c.text).join(''), chunks, jobId };
  }

  /** Containers of a job still present (there should be none once it has finished). */
  async leftovers(jobId: string): Promise<string[]> {
    const list = await this.docker.listContainers({ all: true, filters: { name: [`cid-${jobId}-`] } });
    return list.map((c) => c.Id);
  }

  async cleanup(): Promise<void> {
    // Newest first: a cached step image cannot go while a child still needs it (it is only untagged).
    for (const key of [...this.keys].reverse()) {
      await this.docker.getImage(cacheRef(key)).remove().catch(() => undefined);
    }
    const volumes = await this.docker.listVolumes();
    for (const v of volumes.Volumes ?? []) {
      if (v.Name.startsWith(`${this.cachePrefix}-`)) await this.docker.getVolume(v.Name).remove().catch(() => undefined);
    }
    await rm(this.logDir, { recursive: true, force: true });
  }
}

export const shell = (script: string, extra: { network?: boolean; cache?: { id: string; target: string }[] } = {}): StepInput => ({
  op: 'run',
  shell: script,
  ...extra,
});

export const copy = (src: string[], dst: string, exclude: string[] = []): StepInput => ({ op: 'copy', src, dst, exclude });
