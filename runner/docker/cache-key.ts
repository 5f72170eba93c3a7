import { createHash } from 'node:crypto';
import type { Step } from '../../lib/contract/index.ts';
import { canonicalJson } from './canonical-json.ts';
import type { CopyManifestEntry } from './source-tree.ts';

/** Bumped whenever what a step means changes, so old cache entries stop matching. */
export const KEY_SCHEME = 'cid-step-v1';

/**
 * What of a step goes into its key. Cache mounts are left out (they are shared, mutable state, not
 * an input); a copy is identified by what it puts where (paths, modes, content hashes) plus the
 * owner, never by timestamps; config steps (env, workdir, user) go in whole.
 */
export function hashedStep(
  step: Step,
  copy?: { manifest: readonly CopyManifestEntry[]; uid: number; gid: number },
): unknown {
  switch (step.op) {
    case 'run':
      return { op: 'run', shell: step.shell, network: step.network };
    case 'copy':
      if (copy === undefined) throw new TypeError('a copy step is hashed with its manifest');
      return { op: 'copy', uid: copy.uid, gid: copy.gid, files: copy.manifest };
    default:
      return step;
  }
}

/** sha256(parent key, canonical JSON of the step); the first parent is the base image's id. */
export function stepKey(parent: string, hashed: unknown): string {
  return createHash('sha256').update(`${KEY_SCHEME}\n${parent}\n${canonicalJson(hashed)}`).digest('hex');
}
