// Scheduled Lambda: re-enqueue queued jobs that no runner has claimed for too long.
import { sweepQueuedJobs } from '../sweeper/index.ts';
import { lambdaServices } from './lambda-services.ts';

export async function main(): Promise<{ resent: number }> {
  const svc = await lambdaServices();
  return sweepQueuedJobs(svc, svc.config.sweepAfterSeconds);
}
