import type { Step } from '../../../lib/contract/index.ts';
import { hashedStep, stepKey } from '../cache-key.ts';
import { runAttempts } from '../network-retry.ts';
import { executeRun } from '../run-step.ts';
import { describeStep, stepHeader } from '../step-header.ts';
import { endOfBuilt } from './built.ts';
import { stepContext } from './job.ts';
import type { Job, JobState, StepEnd } from './job.ts';

type RunStep = Extract<Step, { op: 'run' }>;

/** A step for a one-line message: long shells cut short. */
function shortStep(step: Step): string {
  const text = describeStep(step);
  return text.length > 120 ? `${text.slice(0, 118)}…)` : text;
}

/** `run`: a shell command in a container on the parent image; retried after network flakes when it has the network. */
export async function runStep(job: Job, state: JobState, step: RunStep, index: number): Promise<StepEnd> {
  const key = stepKey(state.parentKey, hashedStep(step));
  const built = await job.cache.build({
    key,
    header: stepHeader(state.config.workdir, step),
    parentImage: state.parentImage,
    run: (log) =>
      runAttempts((output) => executeRun(stepContext(job, state, index, key, output), step), log.write, {
        maxAttempts: step.network ? 1 + job.networkRetries : 1,
        delayMs: job.networkRetryDelayMs,
        signal: job.signal,
        onRetry: async (r) => {
          log.note(`[cid] retrying step ${index + 1} ${shortStep(step)} after a network failure: ${r.failure.line}, attempt ${r.attempt} of ${r.maxAttempts}`);
          job.onNetworkRetry?.({ index, ...r });
          await log.restart();
        },
      }),
  });
  return endOfBuilt(job, state, step, key, built);
}
