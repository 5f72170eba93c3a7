import type { Job, Source } from '../../../lib/contract/index.ts';

/** A running (analysis) job of `repo` at `sha`, on `source`, as a runner holds it. */
export function analysisJob(o: { repo: string; sha: string; source: Source; preset: string; opamRepoCommit: string }): Job {
  return {
    id: 'j-analysis',
    pipelineId: `${o.repo}@${o.sha}`,
    repo: o.repo,
    sha: o.sha,
    name: '(analysis)',
    kind: 'analysis',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: o.source,
    params: { platforms: { preset: o.preset }, opamRepoCommit: o.opamRepoCommit },
    experimental: false,
    attempt: 1,
    generation: 1,
    status: 'running',
    timeoutSeconds: 600,
    cancelRequested: false,
    queuedAt: new Date().toISOString(),
  };
}
