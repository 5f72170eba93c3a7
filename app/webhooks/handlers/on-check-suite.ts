import type { Services } from '../../services.ts';
import { pipelineId } from '../../../lib/contract/index.ts';
import { rebuildPipeline } from '../../pipelines/index.ts';
import { CheckSuitePayload } from '../payload-schemas.ts';
import { acted, ignored } from '../webhook-result.ts';
import { defineHandler } from '../event-handler.ts';

/** "Re-run all checks" on GitHub: rebuild every finished job of the commit. */
export const onCheckSuite = defineHandler({
  schema: CheckSuitePayload,
  dedupe: true,
  ignore: (p) => (p.action === 'rerequested' ? undefined : `check_suite.${p.action}`),
  async handle(svc: Services, p) {
    if (p.check_suite.app && svc.github && p.check_suite.app.id !== svc.github.appId) return ignored('check suite of another app');
    const id = pipelineId(p.repository.full_name, p.check_suite.head_sha);
    if (!(await svc.store.pipelines.get(id))) return ignored('no pipeline for that commit');
    const jobs = await rebuildPipeline(svc, id, { onlyFailed: false });
    return acted('rebuild', { jobs: jobs.length });
  },
});
