// The JSON API's records: what pages show, without internals (queue bookkeeping, check-run ids,
// build specs and analysis output). Links are paths of the matching pages.
import type { Job, Pipeline, Repository } from '../../lib/contract/index.ts';
import type { RefSummary, RunRef } from './queries.ts';
import { commitPath, jobPath, repoPath } from './paths.ts';

export const repoJson = (r: Repository) => ({
  name: r.name,
  description: r.description,
  private: r.private,
  defaultBranch: r.defaultBranch,
  active: r.active,
  url: r.url,
  web: repoPath(r.name),
});

export const pipelineJson = (p: Pipeline) => ({
  repo: p.repo,
  sha: p.sha,
  status: p.status,
  refs: p.refs,
  ...(p.error ? { error: p.error } : {}),
  dropped: p.dropped,
  ...(p.roots ? { roots: p.roots } : {}),
  ...(p.pinned ? { pinned: p.pinned } : {}),
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  web: commitPath(p.repo, p.sha),
});

export const jobJson = (j: Job) => ({
  name: j.name,
  kind: j.kind,
  status: j.status,
  experimental: j.experimental,
  ...(j.reason ? { reason: j.reason } : {}),
  pool: j.pool,
  ...(j.packages ? { packages: j.packages } : {}),
  attempt: j.attempt,
  generation: j.generation,
  cancelRequested: j.cancelRequested,
  queuedAt: j.queuedAt,
  ...(j.startedAt ? { startedAt: j.startedAt } : {}),
  ...(j.finishedAt ? { finishedAt: j.finishedAt } : {}),
  web: jobPath(j.repo, j.sha, j.name),
});

export const refJson = (r: RefSummary) => ({
  ref: r.ref,
  kind: r.kind,
  sha: r.sha,
  updatedAt: r.updatedAt,
  status: r.pipeline?.status ?? null,
  web: commitPath(r.repo, r.sha),
});

export const runJson = (r: RunRef) => ({ run: `${r.generation}.${r.attempt}`, generation: r.generation, attempt: r.attempt });
