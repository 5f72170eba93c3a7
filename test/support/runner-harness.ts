import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ControlPlane } from '../../local/start-control-plane.ts';
import { addJobs } from '../../app/pipelines/index.ts';
import type { Job, PlannedJob, Pool, Source } from '../../lib/contract/index.ts';
import { attachedRunnerEnv } from '../../local/local-runner.ts';
import { createLogger } from '../../lib/log/index.ts';
import { loadRunnerConfig, type RunnerConfig } from '../../runner/config/index.ts';
import { startRunner, type StartedRunner } from '../../runner/worker/index.ts';
import { until } from './control-plane.ts';

export const RUNNER_SECRET = 'test-runner-secret-0123456789';
/** A control plane for runner tests: the runner API on, and short heartbeats (told to runners at register). */
export const RUNNER_CP_ENV = { CID_RUNNER_SECRET: RUNNER_SECRET, CID_RUNNER_HEARTBEAT_SECONDS: '0.5', CID_RUNNER_STALE_SECONDS: '3' };

/**
 * A git repository with one commit of these files; returns its path and the commit. A unique
 * `.nonce` file makes every repository's content new, so the step cache never answers for it.
 */
export function gitRepo(files: Record<string, string>): { path: string; sha: string } {
  const path = mkdtempSync(join(tmpdir(), 'cid-git-'));
  for (const [name, content] of Object.entries({ ...files, '.nonce': randomBytes(8).toString('hex') })) {
    mkdirSync(dirname(join(path, name)), { recursive: true });
    writeFileSync(join(path, name), content);
  }
  const git = (...args: string[]) => execFileSync('git', ['-C', path, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=cid', '-c', 'user.email=cid@example.org', 'commit', '-q', '-m', 'test');
  return { path, sha: git('rev-parse', 'HEAD') };
}

/** Environment for a runner that reaches a test control plane's store, queues and API. */
export function runnerEnv(cp: ControlPlane, id: string, extra: Record<string, string> = {}, pool?: Pool): Record<string, string> {
  return {
    CID_STAGE: 'test',
    LOG_LEVEL: 'silent',
    ...attachedRunnerEnv(cp, id, RUNNER_SECRET, pool),
    CID_RUNNER_WORK_DIR: mkdtempSync(join(tmpdir(), 'cid-runner-work-')),
    CID_CACHE_PREFIX: `cid-test-${randomBytes(3).toString('hex')}`,
    // The step cache repository of this test run (test/run-tests.mjs removes it at the end).
    CID_CACHE_REPO: process.env.CID_CACHE_REPO ?? 'cid-test-cache',
    CID_JOB_MEMORY_MB: '512',
    CID_JOB_CPUS: '1',
    CID_JOB_PIDS: '256',
    CID_RUNNER_POLL_SECONDS: '1',
    // No internet in tests: no opam-repository unless a test gives one (test/run-tests.mjs sets it).
    CID_OPAM_REPO_URL: process.env.CID_OPAM_REPO_URL ?? 'none',
    // The step cache repository is shared by the test files running at once: no runner prunes it.
    CID_RUNNER_CACHE_PRUNE_INTERVAL_SECONDS: '0',
    ...extra,
  };
}

export async function testRunner(
  cp: ControlPlane,
  pool: Pool,
  opts: { id?: string; env?: Record<string, string> } = {},
): Promise<StartedRunner & { config: RunnerConfig }> {
  const id = opts.id ?? `runner-${pool}-${randomBytes(3).toString('hex')}`;
  const config = loadRunnerConfig(runnerEnv(cp, id, opts.env, pool), { pool });
  const started = await startRunner(config, createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }));
  return { ...started, config };
}

/** Creates a pipeline for the commit and queues these jobs through the control plane's own code. */
export async function submitJobs(cp: ControlPlane, o: { repo: string; sha: string; source: Source; jobs: PlannedJob[]; installationId?: number }): Promise<Job[]> {
  const { pipeline } = await cp.svc.store.pipelines.ensure({ repo: o.repo, sha: o.sha, ref: 'refs/heads/main', ...(o.installationId ? { installationId: o.installationId } : {}) });
  return addJobs(cp.svc, pipeline, o.source, o.jobs);
}

export function plannedJob(name: string, pool: Pool, from: string, shell: string[], extra: Partial<PlannedJob> = {}): PlannedJob {
  return {
    name,
    kind: 'build',
    pool,
    priority: 'urgent',
    experimental: false,
    spec: { from, steps: [{ op: 'copy', src: ['.'], dst: '/src', exclude: [] }, { op: 'workdir', path: '/src' }, ...shell.map((s) => ({ op: 'run' as const, shell: s, network: false, cache: [] }))] },
    ...extra,
  };
}

export async function waitJob(cp: ControlPlane, id: string, pred: (j: Job) => boolean, timeoutMs = 60_000): Promise<Job> {
  let last: Job | undefined;
  try {
    return await until(async () => {
      last = await cp.svc.store.jobs.get(id);
      return last && pred(last) ? last : undefined;
    }, { timeoutMs, what: `job ${id}` });
  } catch (err) {
    // Say where the job was stuck, so a failure in CI can be understood from its output alone.
    const { status, attempt, runnerId, reason, heartbeatAt, startedAt, queuedAt } = last ?? ({} as Partial<Job>);
    const log = last ? (await logText(cp, last).catch(() => '')).slice(-2000) : '';
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify({ status, attempt, runnerId, reason, queuedAt, startedAt, heartbeatAt, now: new Date().toISOString() })}; log tail:\n${log}`);
  }
}

export async function logText(cp: ControlPlane, job: Pick<Job, 'id' | 'generation' | 'attempt'>): Promise<string> {
  let text = '';
  for await (const c of cp.svc.store.logs.read(`${job.id}#${job.generation}.${job.attempt}`)) text += c.text;
  return text;
}
