import type { Services } from '../../services.ts';
import { pipelineId } from '../../contract/index.ts';
import { rebuildPipeline } from '../../pipelines/index.ts';
import { CheckSuitePayload } from '../payload-schemas.ts';
import { acted, ignored, type WebhookResult } from '../webhook-result.ts';

/** "Re-run all checks" on GitHub: rebuild every finished job of the commit. */
export async function onCheckSuite(svc: Services, raw: unknown): Promise<WebhookResult> {
  const p = CheckSuitePayload.parse(raw);
  if (p.action !== 'rerequested') return ignored(`check_suite.${p.action}`);
  if (p.check_suite.app && svc.github && p.check_suite.app.id !== svc.github.appId) return ignored('check suite of another app');
  const id = pipelineId(p.repository.full_name, p.check_suite.head_sha);
  if (!(await svc.store.pipelines.get(id))) return ignored('no pipeline for that commit');
  const jobs = await rebuildPipeline(svc, id, { onlyFailed: false });
  return acted('rebuild', { jobs: jobs.length });
}
