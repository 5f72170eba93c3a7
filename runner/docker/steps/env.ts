import type { Step } from '../../../lib/contract/index.ts';
import type { StepConfig } from '../container-config.ts';

/** `env`: one more variable for later containers. */
export const withEnv = (config: StepConfig, step: Extract<Step, { op: 'env' }>): StepConfig => ({
  ...config,
  env: new Map([...config.env, [step.name, step.value]]),
});
