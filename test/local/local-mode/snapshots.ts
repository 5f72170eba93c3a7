// Jobs and snapshots as the store would hold them, for the local-mode tests.
import type { Job, Pipeline } from '../../../lib/contract/index.ts';
import type { Snapshot } from '../../../local/local-mode/watch-pipeline.ts';
import type { GitHead } from '../../../local/local-mode/git-head.ts';

export const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
export const REPO = 'local/proj';
export const head: GitHead = { root: '/src/proj', sha: SHA, ref: 'refs/heads/main', branch: 'main', subject: 'Fix it', uncommitted: ['a.ml'] };
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

export function job(name: string, status: Job['status'], extra: Partial<Job> = {}): Job {
  return {
    id: `j-${name}`,
    pipelineId: `${REPO}@${SHA}`,
    repo: REPO,
    sha: SHA,
    name,
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'local', path: '/src/proj', sha: SHA },
    experimental: false,
    attempt: 1,
    generation: 1,
    status,
    timeoutSeconds: 3600,
    cancelRequested: false,
    queuedAt: at(0),
    ...(status === 'queued' ? {} : { startedAt: at(1) }),
    ...(status === 'queued' || status === 'running' ? {} : { finishedAt: at(13.5) }),
    ...extra,
  };
}

export function snap(jobs: Job[], status: Snapshot['status'], p: Partial<Pipeline> = {}): Snapshot {
  const pipeline: Pipeline = { id: `${REPO}@${SHA}`, repo: REPO, sha: SHA, refs: ['refs/heads/main'], status, dropped: [], createdAt: at(0), updatedAt: at(20), ...p };
  return { pipeline, jobs, status };
}

