import type { Step } from '../../../lib/contract/index.ts';
import type { StepConfig } from '../container-config.ts';

/** `user`: who later steps run as, and who owns what they copy. */
export const withUser = (config: StepConfig, step: Extract<Step, { op: 'user' }>): StepConfig => ({
  ...config,
  user: { uid: step.uid, gid: step.gid },
});
