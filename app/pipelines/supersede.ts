import { isFinal, pipelineId } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';
import { cancelPipelineJobs } from './cancel.ts';

/**
 * A ref no longer points at `sha` (new push, branch deleted, PR closed). If no other live ref
 * points at that commit, its queued and running jobs are cancelled.
 */
export async function refLeft(svc: Services, repo: string, sha: string, ref: string): Promise<{ cancelled: number }> {
  const id = pipelineId(repo, sha);
  const remaining = await svc.store.pipelines.removeRef(id, ref);
  if (remaining.length > 0) return { cancelled: 0 };
  const jobs = await svc.store.jobs.listByPipeline(id);
  if (jobs.every((j) => isFinal(j.status))) return { cancelled: 0 };
  const n = await cancelPipelineJobs(svc, id, `superseded: ${ref} moved on`);
  return { cancelled: n };
}
