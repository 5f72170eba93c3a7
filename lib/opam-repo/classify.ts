// The kind of change a PR makes to one package release, as opam-repo-ci's analyse step names it.
import type { ChangeKind } from '../contract/index.ts';
import type { TouchedPackage } from './changed-paths.ts';
import { effectiveKey, hasTests, isUnavailable, parseOpam } from './opam-file.ts';

export interface ClassifyInput {
  touched: TouchedPackage;
  /** The opam file before the PR (base), if the release existed. */
  baseText?: string;
  /** The opam file after the merge, if the release still exists. */
  mergedText?: string;
  /** The base already had some release of this package. */
  nameInBase: boolean;
}

export type Classified = { change: ChangeKind; hasTests: boolean } | { error: string };

/** Kinds whose releases get build jobs. */
export const BUILT_KINDS: ReadonlySet<ChangeKind> = new Set(['new-package', 'new-release', 'significantly-changed']);
/** Kinds whose reverse dependencies are rebuilt (a new package has none outside the PR). */
export const REVDEP_KINDS: ReadonlySet<ChangeKind> = new Set(['new-release', 'significantly-changed']);

export function classifyChange(input: ClassifyInput): Classified {
  const { touched: t, baseText, mergedText } = input;
  if (mergedText === undefined) {
    if (baseText !== undefined) return { change: 'deleted', hasTests: false };
    return { error: `${t.pkg}: files changed but the release has no opam file` };
  }
  const merged = parseOpam(mergedText, `packages/${t.name}/${t.pkg}/opam`);
  // An unparsable file is built like any change (lint reports why it fails).
  const tests = merged.ok && hasTests(merged.file);
  if (merged.ok && isUnavailable(merged.file)) return { change: 'unavailable', hasTests: tests };
  if (baseText === undefined) return { change: input.nameInBase ? 'new-release' : 'new-package', hasTests: tests };
  // A patch under files/ changes the build even when the opam file does not.
  if (t.files.length > 0) return { change: 'significantly-changed', hasTests: tests };
  const base = parseOpam(baseText, `packages/${t.name}/${t.pkg}/opam`);
  if (!merged.ok || !base.ok) return { change: baseText === mergedText ? 'insignificantly-changed' : 'significantly-changed', hasTests: tests };
  const same = effectiveKey(base.file) === effectiveKey(merged.file);
  return { change: same ? 'insignificantly-changed' : 'significantly-changed', hasTests: tests };
}
