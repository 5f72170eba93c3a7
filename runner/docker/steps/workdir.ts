import type { Step } from '../../../lib/contract/index.ts';
import type { StepConfig } from '../container-config.ts';

/** `workdir`: where later steps run (and where relative copy destinations point). */
export const withWorkdir = (config: StepConfig, step: Extract<Step, { op: 'workdir' }>): StepConfig => ({ ...config, workdir: step.path });
