// Rebuild and cancel, for the web forms and the API alike: check write access, then use the
// pipeline operations of app/pipelines.
import { pipelineId } from '../../lib/contract/index.ts';
import { NotFoundError } from '../../lib/errors/index.ts';
import { cancelJob, cancelPipelineJobs, rebuildJob, rebuildPipeline } from '../pipelines/index.ts';
import type { Viewer } from './access.ts';
import { readJob, type WebDeps } from './queries.ts';

export const COMMIT_ACTIONS = ['rebuild-failed', 'rebuild-all', 'cancel'] as const;
export type CommitAction = (typeof COMMIT_ACTIONS)[number];
export const JOB_ACTIONS = ['rebuild', 'cancel'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

const by = (viewer: Viewer): string => (viewer.kind === 'user' ? viewer.login : viewer.kind === 'admin' ? 'an administrator' : 'someone');

async function writableRepo(deps: WebDeps, viewer: Viewer, name: string) {
  const repo = await deps.svc.store.repositories.get(name);
  if (!repo) throw new NotFoundError(`repository ${name} not found`);
  await deps.access.requireWrite(viewer, repo);
  return repo;
}

/** Returns how many jobs were rebuilt or asked to stop. */
export async function commitAction(deps: WebDeps, viewer: Viewer, name: string, sha: string, action: CommitAction): Promise<number> {
  const repo = await writableRepo(deps, viewer, name);
  const id = pipelineId(repo.name, sha);
  if (!(await deps.svc.store.pipelines.get(id))) throw new NotFoundError(`no pipeline for commit ${sha} of ${repo.name}`);
  deps.svc.log.info({ repo: repo.name, sha, action, by: by(viewer) }, 'commit action');
  if (action === 'cancel') return cancelPipelineJobs(deps.svc, id, `cancelled by ${by(viewer)}`);
  return (await rebuildPipeline(deps.svc, id, { onlyFailed: action === 'rebuild-failed' })).length;
}

/** Returns whether anything changed (a job already queued is not rebuilt, a finished one not cancelled). */
export async function jobAction(deps: WebDeps, viewer: Viewer, name: string, sha: string, variant: string, action: JobAction): Promise<boolean> {
  const repo = await writableRepo(deps, viewer, name);
  const job = await readJob(deps.svc, repo, sha, variant);
  deps.svc.log.info({ repo: repo.name, sha, job: job.name, action, by: by(viewer) }, 'job action');
  if (action === 'rebuild') return (await rebuildJob(deps.svc, job.id)) !== undefined;
  const before = job.status;
  await cancelJob(deps.svc, job.id, `cancelled by ${by(viewer)}`);
  return before === 'queued' || before === 'running';
}
