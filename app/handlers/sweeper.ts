// Scheduled Lambda: re-enqueue queued jobs that no runner has claimed for too long.
import { sweepDeadLetters, sweepQueuedJobs, sweepStaleRunningJobs } from '../sweeper/index.ts';
import { lambdaServices } from './lambda-services.ts';

export async function main(): Promise<{ resent: number; errored: number; released: number }> {
  const svc = await lambdaServices();
  const { resent } = await sweepQueuedJobs(svc, svc.config.sweepAfterSeconds);
  const { errored } = await sweepDeadLetters(svc);
  const { released } = await sweepStaleRunningJobs(svc, svc.config.sweepStaleRunningSeconds);
  return { resent, errored, released };
}
