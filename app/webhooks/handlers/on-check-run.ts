import type { Services } from '../../services.ts';
import { pipelineId } from '../../../lib/contract/index.ts';
import { cancelJob, cancelPipelineJobs, rebuildJob, rebuildPipeline } from '../../pipelines/index.ts';
import { SUMMARY_CHECK_NAME } from '../../github/index.ts';
import { CheckRunPayload } from '../payload-schemas.ts';
import { acted, ignored } from '../webhook-result.ts';
import { defineHandler } from '../event-handler.ts';

/**
 * "Re-run" on one check run, or a button (requested_action) on it: rebuild or cancel that job;
 * on the `cid` summary check: rebuild the failed jobs or cancel them all.
 */
export const onCheckRun = defineHandler({
  schema: CheckRunPayload,
  dedupe: true,
  ignore: (p) => (p.action === 'rerequested' || p.action === 'requested_action' ? undefined : `check_run.${p.action}`),
  async handle(svc: Services, p) {
    if (p.check_run.app && svc.github && p.check_run.app.id !== svc.github.appId) return ignored('check run of another app');
    const what = p.action === 'rerequested' ? 'rebuild' : (p.requested_action?.identifier ?? '');
    const pid = pipelineId(p.repository.full_name, p.check_run.head_sha);

    if (p.check_run.name === SUMMARY_CHECK_NAME) {
      if (!(await svc.store.pipelines.get(pid))) return ignored('no pipeline for that commit');
      if (what === 'rebuild' || what === 'rebuild-failed') return acted('rebuild-failed', { jobs: (await rebuildPipeline(svc, pid, { onlyFailed: true })).length });
      if (what === 'cancel') return acted('cancel', { jobs: await cancelPipelineJobs(svc, pid) });
      return ignored(`unknown action "${what}"`);
    }

    const jobId = p.check_run.external_id;
    const job = jobId ? await svc.store.jobs.get(jobId) : undefined;
    if (!job || job.pipelineId !== pid) return ignored('check run of no known job');
    if (what === 'rebuild') return acted('rebuild', { requeued: (await rebuildJob(svc, job.id)) !== undefined });
    if (what === 'cancel') {
      await cancelJob(svc, job.id);
      return acted('cancel');
    }
    return ignored(`unknown action "${what}"`);
  },
});
