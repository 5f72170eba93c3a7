import { majorMinor } from './variant.ts';

// The OCaml releases the default catalogue is made of. ocaml-ci takes them from ocaml-version's
// `Releases.recent` (the latest patch of each minor); cid takes them from the opam-repository
// commit it builds with, so bumping CID_OPAM_REPO_COMMIT brings a new release in without a code
// change. The runner lists `packages/ocaml-base-compiler/` at that commit (runner/jobs/ocaml-releases.ts).

/** The oldest supported minor: ocaml-ci's LTS release, the floor of its default compilers. */
export const OLDEST_SUPPORTED_OCAML = '4.14';

/**
 * The built-in list, used when the pinned opam-repository cannot be read (offline runner, a commit
 * the remote does not have): the latest patch of each minor from 4.14 on, newest first, as
 * opam-repository 97014be (CID_OPAM_REPO_COMMIT's default, the test snapshot) has them. A test
 * checks it against the snapshot.
 */
export const BUILTIN_OCAML_RELEASES: readonly string[] = ['5.5.0', '5.4.1', '5.3.0', '5.2.1', '5.1.1', '5.0.0', '4.14.4'];

/** The releases a catalogue is built from, and where they came from (for the (analysis) log). */
export interface OcamlReleases {
  /** Full releases, one per minor, newest first: ["5.5.0", "5.4.1", …, "4.14.4"]. */
  releases: readonly string[];
  /** "opam-repository <commit>", or "cid's built-in list (…why)". */
  source: string;
}

export const builtinOcamlReleases = (why?: string): OcamlReleases => ({
  releases: BUILTIN_OCAML_RELEASES,
  source: `cid's built-in list${why ? ` (${why})` : ''}`,
});

/** A final release: "5.4.1", not "5.4.0~beta1" (a pre-release) nor "4.14.0+options" (a variant). */
const FINAL_RELEASE = /^\d+\.\d+\.\d+$/;

/** Numeric order of "x.y[.z]" (no import from matrix.ts: opam-vars.ts reads this module). */
function compareReleases(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * From `ocaml-base-compiler` versions (or "ocaml-base-compiler.<version>" directory names) to the
 * latest patch of each minor ≥ 4.14, newest first. Pre-releases are not releases: a minor with
 * only ~alpha/~beta/~rc versions is left out.
 */
export function latestPatches(versions: Iterable<string>): string[] {
  const latest = new Map<string, string>();
  for (const raw of versions) {
    const v = raw.startsWith('ocaml-base-compiler.') ? raw.slice('ocaml-base-compiler.'.length) : raw;
    if (!FINAL_RELEASE.test(v) || compareReleases(v, OLDEST_SUPPORTED_OCAML) < 0) continue;
    const minor = majorMinor(v);
    const seen = latest.get(minor);
    if (seen === undefined || compareReleases(v, seen) > 0) latest.set(minor, v);
  }
  return [...latest.values()].sort((a, b) => compareReleases(b, a));
}
