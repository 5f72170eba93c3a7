import type Docker from 'dockerode';
import { dockerPlatform, type RunnerJob } from '../../lib/contract/index.ts';
import { resolveBaseImage } from '../docker/base-image.ts';
import { ImageUnavailableError } from '../docker/errors.ts';
import type { JobOutcome } from './job-outcome.ts';

/**
 * Makes sure a build job's base image is here (pulling it if need be) before its source is
 * fetched: a job that cannot run ends with the image's reason at once, without fetching a source
 * it would never use. Undefined when the build can go ahead (or has no spec: runBuildJob says so).
 * The executor resolves the image again, which then costs one `inspect`.
 */
export async function checkBaseImage(job: RunnerJob, docker: Docker, o: { signal: AbortSignal }): Promise<JobOutcome | undefined> {
  if (!job.spec) return undefined;
  // A pull gets the job's time limit too: an image that never arrives must not hold the slot forever.
  const timeout = AbortSignal.timeout(job.timeoutSeconds * 1000);
  const signal = AbortSignal.any([o.signal, timeout]);
  try {
    await resolveBaseImage(docker, job.spec.from, dockerPlatform(job.pool), signal);
    return undefined;
  } catch (err) {
    // A pull cut short by a cancel or the time limit is that, not an unavailable image.
    if (o.signal.aborted) return { status: 'cancelled', reason: 'cancelled' };
    if (timeout.aborted) return { status: 'failed', reason: `timed out after ${job.timeoutSeconds} s pulling ${job.spec.from}`, timedOut: true };
    if (err instanceof ImageUnavailableError) return { status: 'errored', reason: err.message };
    throw err;
  }
}
