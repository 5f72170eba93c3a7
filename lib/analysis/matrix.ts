import type { OpamVars } from './opam-facts.ts';
import { fullOcamlVersion, platformVars } from './opam-vars.ts';
import type { Platform } from './platforms.ts';
import type { OpamFileEntry } from './repo-content.ts';
import { LINT_DOC_LABEL, LINT_FMT_LABEL, LINT_OPAM_LABEL, LOWER_BOUND_LABEL } from './variant.ts';

// Which platforms the roots can be built on: first each root's `available:` and its
// `depends:`/`conflicts:` on OCaml (roots ruled out are left out of that platform's build); then,
// when the pinned opam-repository could be read, a solve of the rest (solve-deps.ts).

export interface PlannedPlatform {
  platform: Platform;
  /** Roots that can install here ("name.dev"). */
  roots: string[];
  /** Non-empty when only some roots can: the build passes them to --only-packages. */
  onlyPackages: string[];
  /** Roots that cannot install here, with why (shown in the log, the UI and the check run). */
  leftOut: Array<{ name: string; reason: string }>;
  /** The solver's exact "name.version" set (roots, pins and dependencies), when there was a solver. */
  deps?: string[];
}

export interface Dropped {
  variant: string;
  reason: string;
}

/** Variables every root is judged with besides the platform's: the build runs tests, pins are dev. */
const BUILD_VARS: OpamVars = { build: true, post: true, 'with-test': true, 'with-doc': false, dev: true, pinned: true };

function varsFor(platform: Platform, root: OpamFileEntry): OpamVars {
  const version = root.pkg.slice(root.name.length + 1);
  return { ...BUILD_VARS, ...platformVars(platform), name: root.name, version };
}

/** "alpha, beta: reason; gamma: other reason" — roots sharing a reason are listed together. */
function describe(reasons: ReadonlyArray<{ name: string; reason: string }>): string {
  const byReason = new Map<string, string[]>();
  for (const { name, reason } of reasons) byReason.set(reason, [...(byReason.get(reason) ?? []), name]);
  return [...byReason].map(([reason, names]) => `${names.join(', ')}: ${reason}`).join('; ');
}

export function planPlatforms(roots: readonly OpamFileEntry[], platforms: readonly Platform[]): { kept: PlannedPlatform[]; dropped: Dropped[] } {
  const kept: PlannedPlatform[] = [];
  const dropped: Dropped[] = [];
  for (const platform of platforms) {
    const ok: string[] = [];
    const no: Array<{ name: string; reason: string }> = [];
    for (const root of roots) {
      const reason = root.facts.whyNotInstallable(varsFor(platform, root));
      if (reason === undefined) ok.push(root.pkg);
      else no.push({ name: root.name, reason });
    }
    if (ok.length === 0) dropped.push({ variant: platform.variant, reason: describe(no) });
    else kept.push({ platform, roots: ok, onlyPackages: no.length > 0 ? ok : [], leftOut: no });
  }
  return { kept, dropped };
}

/** Numeric comparison of dotted releases: "4.14.3" < "5.0.0", "5.10" > "5.9". */
export function compareReleases(a: string, b: string): number {
  const pa = a.split(/[.+~-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+~-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether opam-dune-lint installs with this OCaml. Its releases in opam-repository 97014be
 * (opam-dune-lint 0.3 to 0.6) say `"ocaml" {>= "4.08.0"}`, and none of their dependencies (dune
 * < 3.21, opam-state, opam-format, stdune) bounds OCaml from above. Update with opam-dune-lint's
 * opam file when a release adds a bound.
 */
export const canInstallOpamDuneLint = (ocaml: string): boolean => compareReleases(ocaml, '4.08.0') >= 0;

export interface LintPlatforms {
  /** (lint-doc), and (lint-fmt) with it: the lowest OCaml on x86_64, as ocaml-ci. */
  doc: PlannedPlatform | undefined;
  /**
   * (lint-opam): the lowest OCaml >= 4.14 on x86_64 that can install opam-dune-lint, as ocaml-ci
   * (its opam_dune_lint_selections); the first such platform in catalogue order on a tie.
   */
  opam: PlannedPlatform | undefined;
}

const lower = (a: PlannedPlatform, b: PlannedPlatform): boolean =>
  compareReleases(fullOcamlVersion(a.platform.ocamlVersion), fullOcamlVersion(b.platform.ocamlVersion)) < 0;

/** Lint jobs need opam, so preinstalled images never host them. */
export function lintPlatforms(kept: readonly PlannedPlatform[]): LintPlatforms {
  const candidates = kept.filter((k) => k.platform.arch === 'x86_64' && !k.platform.preinstalled);
  let doc: PlannedPlatform | undefined;
  let opam: PlannedPlatform | undefined;
  for (const c of candidates) {
    if (doc === undefined || lower(c, doc)) doc = c;
    const ocaml = fullOcamlVersion(c.platform.ocamlVersion);
    if (compareReleases(ocaml, '4.14') < 0 || !canInstallOpamDuneLint(ocaml)) continue;
    if (opam === undefined || lower(c, opam)) opam = c;
  }
  return { doc, opam };
}

/**
 * (lower-bound): of the platforms the catalogue marks `lowerBound` that the roots accept, the one
 * with the lowest OCaml (the first on a tie), as ocaml-ci's take_lowest_bound_selection. Those
 * are x86_64 with opam (the catalogue checks it; checked again here).
 */
export function lowerBoundPlatform(kept: readonly PlannedPlatform[]): PlannedPlatform | undefined {
  let low: PlannedPlatform | undefined;
  for (const k of kept) {
    if (!k.platform.lowerBound || k.platform.arch !== 'x86_64' || k.platform.preinstalled) continue;
    if (low === undefined || compareReleases(fullOcamlVersion(k.platform.ocamlVersion), fullOcamlVersion(low.platform.ocamlVersion)) < 0) low = k;
  }
  return low;
}

/** Why a lint job, or (lower-bound), has nowhere to run, for `dropped`. */
export const NO_LINT_PLATFORM: Readonly<Record<string, string>> = {
  [LINT_FMT_LABEL]: 'no x86_64 platform with opam is left to run it on',
  [LINT_DOC_LABEL]: 'no x86_64 platform with opam is left to run it on',
  [LINT_OPAM_LABEL]: 'no x86_64 platform with opam and OCaml >= 4.14 is left to run it on',
  [LOWER_BOUND_LABEL]: 'no platform marked lowerBound is left to run it on',
};
