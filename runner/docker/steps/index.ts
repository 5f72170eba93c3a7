// The step kinds of a BuildSpec, one module each; `executeStep` picks by kind.
import type { Step } from '../../../lib/contract/index.ts';
import { configStep } from './config.ts';
import { copyStep } from './copy.ts';
import { withEnv } from './env.ts';
import type { Job, JobState, StepEnd } from './job.ts';
import { runStep } from './run.ts';
import { withUser } from './user.ts';
import { withWorkdir } from './workdir.ts';

export { isConfigStep } from './config.ts';
export type { Job, JobState, StepEnd } from './job.ts';

/** Step `index` of the job, from `state`: how it ended and, when it passed, the state after it. */
export function executeStep(job: Job, state: JobState, step: Step, index: number): Promise<StepEnd> {
  switch (step.op) {
    case 'run':
      return runStep(job, state, step, index);
    case 'copy':
      return copyStep(job, state, step, index);
    case 'env':
      return configStep(job, state, step, withEnv(state.config, step));
    case 'workdir':
      return configStep(job, state, step, withWorkdir(state.config, step));
    case 'user':
      return configStep(job, state, step, withUser(state.config, step));
  }
}
