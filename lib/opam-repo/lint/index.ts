// opam-repository's lint rules for a changed release: opam-ci-check's `lint`, as opam-repo-ci runs
// it, in its order and words: "Error in pkg.ver: …" / "Warning in pkg.ver: …". One module per
// concern; this one runs them. The checks come in opam-ci-check's three kinds:
//
// - `opam-file`: `opam lint` (./opam-lint.ts);
// - `primary-repo`: opam-repository's own rules, and for a new package (opam-repo-ci's
//   `new=true`: no release of the name in the base) name collisions and restricted prefixes;
// - `archive-repo`: the archive repository's rules (./archive.ts).
//
// opam-repo-ci runs the first two, the default.
import type { LintMessage } from '../../contract/index.ts';
import { parseOpam } from '../opam-file.ts';
import { commitHashAtArchiving, reasonForArchiving, upperBounds } from './archive.ts';
import { checksums } from './checksums.ts';
import { confPackage } from './conf.ts';
import { duneBuildDependency, duneSubst } from './dune.ts';
import { nameAndVersionFields } from './fields.ts';
import { maintainerContact } from './maintainer.ts';
import { nameCollisions } from './name-collision.ts';
import type { PackageNames } from './name-collision.ts';
import { opamLintChecks } from './opam-lint.ts';
import { packageDir } from './package-dir.ts';
import { prefixConflictClass, restrictedPrefix } from './prefix.ts';
import { makeRelease } from './release.ts';
import type { Check, Finding } from './release.ts';
import { noExtraFiles, noPinDepends } from './repository-policy.ts';
import { packageSource } from './source.ts';
import { defaultTags } from './tags.ts';

export { PackageNames } from './name-collision.ts';
export { RESTRICTED_PREFIXES } from './prefix.ts';

export type LintCheckKind = 'opam-file' | 'primary-repo' | 'archive-repo';
export const DEFAULT_LINT_CHECKS: readonly LintCheckKind[] = ['opam-file', 'primary-repo'];

export interface LintInput {
  name: string;
  version: string;
  /** The opam file's text after the merge. */
  text: string;
  /** Every file of the release directory, relative to it ("opam", "files/fix.patch"), with its git mode. */
  dirFiles: ReadonlyMap<string, string>;
  /** No release of this name in the base (opam-repo-ci passes `new=true` for its "new package" kind only). */
  newPackage?: boolean;
  /** Every package name of the merged tree; needed for the name collisions of a new package. */
  packageNames?: PackageNames;
  /** Which kinds of checks, in this order; default {@link DEFAULT_LINT_CHECKS}. */
  checks?: readonly LintCheckKind[];
}

function primaryRepoChecks(input: LintInput): Check[] {
  const checks: Check[] = [
    duneSubst,
    nameAndVersionFields,
    checksums,
    (r) => packageDir(r, input.dirFiles),
    packageSource,
    maintainerContact,
    defaultTags,
    noPinDepends,
    noExtraFiles,
    confPackage,
    prefixConflictClass,
    duneBuildDependency,
  ];
  if (input.newPackage) {
    const names = input.packageNames;
    if (names !== undefined) checks.push((r) => nameCollisions(r, names));
    checks.push(restrictedPrefix);
  }
  return checks;
}

const ARCHIVE_CHECKS: Check[] = [upperBounds, reasonForArchiving, commitHashAtArchiving];

/** Lints one release; an empty list when it is clean. */
export function lintRelease(input: LintInput): LintMessage[] {
  const pkg = `${input.name}.${input.version}`;
  const message = (f: Finding): LintMessage => ({ level: f.level, pkg, message: `${f.level === 'error' ? 'Error' : 'Warning'} in ${pkg}: ${f.text}` });
  const parsed = parseOpam(input.text, `packages/${input.name}/${pkg}/opam`);
  if (!parsed.ok) {
    // opam-ci-check stops at a file it cannot read.
    return [message({ level: 'error', text: `Failed to parse the opam file: ${parsed.error}` })];
  }
  const release = makeRelease(input.name, input.version, parsed.file);
  const checks = (input.checks ?? DEFAULT_LINT_CHECKS).flatMap((kind): Check[] =>
    kind === 'opam-file' ? [opamLintChecks] : kind === 'primary-repo' ? primaryRepoChecks(input) : ARCHIVE_CHECKS,
  );
  return checks.flatMap((check) => check(release)).map(message);
}
