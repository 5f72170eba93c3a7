// The checks opam-ci-check runs for the archive repository (ocaml/opam-repository-archive, with
// `--checks=archive-repo`), which receives the releases opam-repository retires: every dependency
// but `ocaml` has an upper bound, `x-reason-for-archiving` lists valid reasons and
// `x-opam-repository-commit-hash-at-time-of-archiving` is a string. See opam-repository's
// governance/policies/archiving.md. opam-repo-ci does not run them on opam-repository PRs (there
// archiving is a deletion, which is not linted).
import { formulaAtoms } from '../../opam/index.ts';
import { error, rawField } from './release.ts';
import type { Finding, Release } from './release.ts';

export const REASON_FOR_ARCHIVING = 'x-reason-for-archiving';
export const VALID_REASONS = ['ocaml-version', 'source-unavailable', 'maintenance-intent', 'uninstallable'];
export const COMMIT_HASH_AT_ARCHIVING = 'x-opam-repository-commit-hash-at-time-of-archiving';

const UPPER = new Set(['=', '<=', '<']);

export function upperBounds(r: Release): Finding[] {
  const missing = formulaAtoms(r.summary.depends)
    .filter((a) => a.name !== 'ocaml' && !formulaAtoms(a.constraint).some((c) => c.kind === 'constraint' && UPPER.has(c.op)))
    .map((a) => error(`An upper bound constraint is missing on dependency '${a.name}'`));
  // opam-ci-check folds the formula onto a list, so the last dependency comes first.
  return missing.reverse();
}

export function reasonForArchiving(r: Release): Finding[] {
  const v = rawField(r, REASON_FOR_ARCHIVING);
  const ok = v?.kind === 'list' && v.items.length > 0 && v.items.every((x) => x.kind === 'string' && VALID_REASONS.includes(x.value));
  return ok
    ? []
    : [error(`The field '${REASON_FOR_ARCHIVING}' must be present and hold a nonempty list of one or more of the valid reasons ${VALID_REASONS.join(', ')}`)];
}

export function commitHashAtArchiving(r: Release): Finding[] {
  return rawField(r, COMMIT_HASH_AT_ARCHIVING)?.kind === 'string'
    ? []
    : [
        error(
          `The field '${COMMIT_HASH_AT_ARCHIVING}' must be present and hold a string recording the commit hash of the primary repo at the time the package version is archived.`,
        ),
      ];
}
