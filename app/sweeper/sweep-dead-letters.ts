import { PRIORITIES, POOLS } from '../../lib/contract/index.ts';
import { JOB_MAX_RECEIVES, dlqKey, jobQueueKey } from '../../lib/resources/index.ts';
import { decodeJobMessage, isRejected } from '../queue/index.ts';
import type { Services } from '../services.ts';

/**
 * A job message that was received JOB_MAX_RECEIVES times without its job finishing (runners
 * killed, machines lost) lands in its queue's dead-letter queue. Its job is then marked
 * `errored`: an infrastructure problem, shown apart from a build failure, and rebuildable.
 */
export async function sweepDeadLetters(svc: Services): Promise<{ errored: number }> {
  let errored = 0;
  for (const pool of POOLS) {
    for (const priority of PRIORITIES) {
      const url = svc.queues.url(dlqKey(jobQueueKey(pool, priority)));
      for (;;) {
        const messages = await svc.queues.receive(url, { max: 10, waitSeconds: 0, visibilitySeconds: 60 });
        if (messages.length === 0) break;
        for (const m of messages) {
          const d = decodeJobMessage(m);
          if (!isRejected(d)) {
            const job = await svc.store.jobs.get(d.body.jobId);
            if (job && job.generation === d.body.generation) {
              const reason = `infrastructure: no runner finished this job in ${JOB_MAX_RECEIVES} attempts (runner lost or killed?); rebuild to try again`;
              const marked = await svc.store.jobs.markErrored(job.id, reason);
              if (marked) {
                errored++;
                await svc.queues.sendResult({ type: 'job-updated', jobId: job.id, status: 'errored' });
              }
            }
          } else svc.log.error({ error: d.error }, 'invalid dead-lettered job message dropped');
          await svc.queues.delete(url, m.ReceiptHandle ?? '');
        }
      }
    }
  }
  if (errored > 0) svc.log.warn({ errored }, 'jobs marked errored after their messages were dead-lettered');
  return { errored };
}
