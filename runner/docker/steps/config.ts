import type { Step } from '../../../lib/contract/index.ts';
import { hashedStep, stepKey } from '../cache-key.ts';
import type { StepConfig } from '../container-config.ts';
import { stepHeader } from '../step-header.ts';
import type { Job, JobState, StepEnd } from './job.ts';

export type ConfigStep = Extract<Step, { op: 'env' | 'workdir' | 'user' }>;

export const isConfigStep = (s: Step): s is ConfigStep => s.op === 'env' || s.op === 'workdir' || s.op === 'user';

/**
 * A config step is only configuration for later containers: folded into the key, no image of its
 * own (on the vfs driver that would cost two full copies of the root filesystem).
 */
export async function configStep(job: Job, state: JobState, step: ConfigStep, config: StepConfig): Promise<StepEnd> {
  const key = stepKey(state.parentKey, hashedStep(step));
  const cached = await job.cache.mark(key, stepHeader(state.config.workdir, step), state.allCached);
  return { kind: 'ok', key, cached, state: { ...state, config, parentKey: key, allCached: state.allCached && cached } };
}
