import { posix } from 'node:path';
import type { Step } from '../../../lib/contract/index.ts';
import { hashedStep, stepKey } from '../cache-key.ts';
import { executeCopy } from '../copy-step.ts';
import { CopySourceError } from '../errors.ts';
import { stampLine } from '../log-lines.ts';
import { runAttempts } from '../network-retry.ts';
import { manifestOf, planCopy } from '../source-tree.ts';
import type { CopyEntry } from '../source-tree.ts';
import { stepHeader } from '../step-header.ts';
import { endOfBuilt } from './built.ts';
import { ownerOf, stepContext } from './job.ts';
import type { Job, JobState, StepEnd } from './job.ts';

type CopyStep = Extract<Step, { op: 'copy' }>;

/**
 * `copy`: files of the job's source into the image. Keyed by what goes where and who owns it, so
 * the source is listed and hashed first; a source that is missing or escapes the tree fails the
 * step (the job's fault) without a lookup.
 */
export async function copyStep(job: Job, state: JobState, step: CopyStep, index: number): Promise<StepEnd> {
  const dstDir = posix.resolve(state.config.workdir, step.dst);
  let entries: readonly CopyEntry[] = [];
  let planError: CopySourceError | undefined;
  try {
    entries = await planCopy(job.sourceDir, step.src, dstDir, step.exclude);
  } catch (e) {
    if (!(e instanceof CopySourceError)) throw e;
    planError = e;
  }
  const key = stepKey(state.parentKey, hashedStep(step, { manifest: manifestOf(entries), ...ownerOf(job, state.config) }));
  const header = stepHeader(state.config.workdir, step);
  if (planError !== undefined) {
    job.emit(stampLine(header));
    job.emit(stampLine(planError.message));
    return { kind: 'failed', key, summary: `(copy): ${planError.message}` };
  }
  const built = await job.cache.build({
    key,
    header,
    parentImage: state.parentImage,
    // One attempt: a copy uses no network.
    run: (log) => runAttempts((output) => executeCopy(stepContext(job, state, index, key, output), dstDir, entries), log.write),
  });
  return endOfBuilt(job, state, step, key, built);
}
