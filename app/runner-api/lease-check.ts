import { isFinal, type Job, type Lease } from '../../lib/contract/index.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors/index.ts';
import type { LeaseCheck, RunnerRecord } from '../store/index.ts';
import type { Services } from '../services.ts';
import { leaseHash, leaseIsAuthentic } from './lease-tokens.ts';
import { sameText } from './runner-credentials.ts';

/**
 * Where a runner's lease stands against the stored job:
 * - `current`: it holds the job now (runner, attempt and token match; running; not expired);
 * - `lost`: it was this runner's, but the job has moved on (taken over, released, requeued);
 * - `finished`: it was the lease of the run that ended;
 * - `expired`: still the job's lease, but no heartbeat renewed it in time.
 * A lease not issued to this runner (forged, another runner's) is a 403; an unknown job a 404.
 */
export type LeaseState = 'current' | 'lost' | 'finished' | 'expired';

export const staleBefore = (svc: Services): string => new Date(Date.now() - svc.config.runnerApi.staleSeconds * 1000).toISOString();

export async function leaseState(svc: Services, secret: string, runner: RunnerRecord, lease: Lease): Promise<{ job: Job; state: LeaseState }> {
  const job = await svc.store.jobs.get(lease.jobId);
  if (!job) throw new NotFoundError(`job ${lease.jobId} not found`);
  if (!leaseIsAuthentic(secret, lease, runner.id)) throw new ForbiddenError(`this lease of job ${lease.jobId} was not given to runner ${runner.id}`);
  const holds = job.runnerId === runner.id && job.attempt === lease.attempt && job.leaseHash !== undefined && sameText(job.leaseHash, leaseHash(lease.token));
  if (!holds) return { job, state: 'lost' };
  if (isFinal(job.status)) return { job, state: 'finished' };
  if (job.status !== 'running') return { job, state: 'lost' };
  if ((job.heartbeatAt ?? '') < staleBefore(svc)) return { job, state: 'expired' };
  return { job, state: 'current' };
}

/** The conditions a write acting on the lease repeats, so a lease lost meanwhile cannot act. */
export const leaseCheck = (svc: Services, lease: Lease): LeaseCheck => ({ attempt: lease.attempt, hash: leaseHash(lease.token), staleBefore: staleBefore(svc) });

/** The job of a lease the runner holds now, or the error each other state gets (403, 409). */
export async function heldJob(svc: Services, secret: string, runner: RunnerRecord, lease: Lease): Promise<Job> {
  const { job, state } = await leaseState(svc, secret, runner, lease);
  return refuseUnlessCurrent(job, state, lease);
}

export function refuseUnlessCurrent(job: Job, state: LeaseState, lease: Lease): Job {
  switch (state) {
    case 'current':
      return job;
    case 'lost':
      throw new ForbiddenError(`attempt ${lease.attempt} of job ${job.id} is no longer this runner's (the job is ${job.status}, attempt ${job.attempt})`);
    case 'finished':
      throw new ConflictError(`job ${job.id} has finished (${job.status})`);
    case 'expired':
      throw new ConflictError(`the lease of job ${job.id} expired (last heartbeat ${job.heartbeatAt ?? 'never'}); another runner may take it`);
  }
}
