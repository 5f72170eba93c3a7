import type { Step } from '../../../lib/contract/index.ts';
import { firstError } from '../../report/first-error.ts';
import type { Built } from '../cached-build.ts';
import { stampLine } from '../log-lines.ts';
import type { Attempts } from '../network-retry.ts';
import type { Job, JobState, StepEnd } from './job.ts';

const retried = (n: number): { retries?: number } => (n > 0 ? { retries: n } : {});

/** The end of a step that makes an image (run, copy), from what the cache gave or the step did. */
export function endOfBuilt(job: Job, state: JobState, step: Extract<Step, { op: 'run' | 'copy' }>, key: string, built: Built<Attempts>): StepEnd {
  if (built.cached) return { kind: 'ok', key, cached: true, state: { ...state, parentKey: key, parentImage: built.imageId } };
  const { outcome, retries, tail } = built.result;
  if (outcome.kind === 'aborted') return { kind: 'aborted', key, ...retried(retries) };
  if (outcome.kind === 'failed') {
    job.emit(stampLine(`${step.op} step ${outcome.message}`));
    const error = firstError(tail);
    return {
      kind: 'failed',
      key,
      ...retried(retries),
      summary: `(${step.op}) ${outcome.message}`,
      ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
      ...(error === undefined ? {} : { error }),
    };
  }
  return {
    kind: 'ok',
    key,
    cached: false,
    ...retried(retries),
    state: { ...state, parentKey: key, parentImage: built.imageId ?? state.parentImage, allCached: false },
  };
}
