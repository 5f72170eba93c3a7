// From the classified changes to the jobs of an opam-repository PR: each built release on every
// platform of the matrix (skipped where it cannot be installed), a tests job and a lower-bounds
// job on the main distro, and its reverse dependencies on 4.14 and the newest OCaml.
import type { ChangedPackage, OpamJobPlan, RevdepsPlan } from '../contract/index.ts';
import { platformVars, readOpamFacts } from '../analysis/index.ts';
import type { OpamFacts, OpamVars } from '../analysis/index.ts';
import { parsePackageId } from '../opam/index.ts';
import { BUILT_KINDS, REVDEP_KINDS } from './classify.ts';
import { compilers, jobName, revdepPlatforms } from './matrix.ts';
import type { MatrixPlatform, OpamRepoMatrix } from './matrix.ts';
import type { Revdep } from './revdeps.ts';

/** How many revdeps get jobs per PR unless the operator says otherwise. */
export const DEFAULT_MAX_REVDEPS = 500;

export interface PlanInput {
  packages: readonly ChangedPackage[];
  matrix: OpamRepoMatrix;
  /** The opam file of any release after the merge. */
  textOf: (pkg: string) => string | undefined;
  /** The reverse dependencies of a release, without those in `exclude`. */
  revdeps: (pkg: string, exclude: ReadonlySet<string>) => Revdep[];
  maxRevdeps?: number;
}

export interface OpamRepoPlan {
  jobs: OpamJobPlan[];
  revdeps: RevdepsPlan[];
}

type Why = (mp: MatrixPlatform, withTest?: boolean) => string | undefined;

/** Why a release cannot be installed on a platform (undefined: it can), from its opam file. */
function installability(pkg: string, text: string | undefined): Why {
  const id = parsePackageId(pkg);
  let facts: OpamFacts | undefined;
  try {
    facts = text === undefined ? undefined : readOpamFacts(text, pkg);
  } catch {
    // Unparsable: build it anyway; the build and the lint say why it fails.
    facts = undefined;
  }
  return (mp, withTest = false) => {
    if (facts === undefined || id === undefined) return undefined;
    const vars: OpamVars = {
      ...platformVars(mp.platform),
      build: true,
      post: true,
      'with-test': withTest,
      'with-doc': false,
      'with-dev-setup': false,
      dev: false,
      pinned: true,
      name: id.name,
      version: id.version,
    };
    return facts.whyNotInstallable(vars);
  };
}

function acceptsFailure(text: string | undefined, distro: string): boolean {
  if (text === undefined) return false;
  // x-ci-accept-failures: ["debian-13" "alpine-3.24"] — read without a full summary.
  const m = /^x-ci-accept-failures\s*:\s*\[([^\]]*)\]/m.exec(text);
  return m?.[1] !== undefined && [...m[1].matchAll(/"([^"]*)"/g)].some((x) => x[1] === distro);
}

function releaseJobs(c: ChangedPackage, input: PlanInput): OpamJobPlan[] {
  const text = input.textOf(c.pkg);
  const why = installability(c.pkg, text);
  const jobs: OpamJobPlan[] = [];
  const add = (mp: MatrixPlatform, type: OpamJobPlan['type'], skip: string | undefined): void => {
    jobs.push({
      name: jobName(mp, c.pkg, { type } as { type: 'build' | 'tests' | 'lower-bounds' }),
      variant: mp.platform.variant,
      pkg: c.pkg,
      type,
      experimental: acceptsFailure(text, mp.platform.distro) || mp.platform.experimental,
      ...(skip === undefined ? {} : { skip }),
    });
  };
  for (const mp of input.matrix.platforms) add(mp, 'build', why(mp));
  const comp = compilers(input.matrix);
  const installableHere = comp.filter((mp) => why(mp) === undefined);
  // Tests on the newest OCaml it accepts; lower bounds on the oldest, which reaches the oldest
  // dependency versions.
  if (c.hasTests) {
    const host = [...comp].reverse().find((mp) => why(mp, true) === undefined);
    if (host) add(host, 'tests', undefined);
  }
  const low = installableHere[0];
  if (low) add(low, 'lower-bounds', undefined);
  return jobs;
}

/** Newest release per package name, direct revdeps first, then by name. */
function chooseRevdeps(found: readonly Revdep[]): Revdep[] {
  const newest = new Map<string, Revdep>();
  for (const r of found) {
    const cur = newest.get(r.name);
    // `found` is sorted by version within a name, so the last one seen is the newest; a direct
    // revdep at any version makes the package direct.
    newest.set(r.name, { ...r, direct: r.direct || (cur?.direct ?? false) });
  }
  return [...newest.values()].sort((a, b) => (a.direct === b.direct ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.direct ? -1 : 1));
}

export function planJobs(input: PlanInput): OpamRepoPlan {
  const built = input.packages.filter((c) => BUILT_KINDS.has(c.change));
  const jobs = built.flatMap((c) => releaseJobs(c, input));

  // Revdeps: never a release the PR itself changes, each built once per PR (under the first
  // changed release that reaches it), at most maxRevdeps in all.
  const inPr = new Set(input.packages.map((c) => c.pkg));
  const taken = new Set<string>();
  let budget = input.maxRevdeps ?? DEFAULT_MAX_REVDEPS;
  const revdeps: RevdepsPlan[] = [];
  const hosts = revdepPlatforms(input.matrix);
  for (const c of built) {
    if (!REVDEP_KINDS.has(c.change)) continue;
    const found = input.revdeps(c.pkg, inPr);
    const chosen = chooseRevdeps(found).filter((r) => !taken.has(r.name));
    const kept = chosen.slice(0, Math.max(0, budget));
    budget -= kept.length;
    for (const r of kept) taken.add(r.name);
    const canHost = installability(c.pkg, input.textOf(c.pkg));
    const whys = kept.map((r) => ({ pkg: r.pkg, why: installability(r.pkg, input.textOf(r.pkg)) }));
    const builds = hosts
      .filter((mp) => canHost(mp) === undefined)
      .map((mp) => ({ variant: mp.platform.variant, packages: whys.filter((r) => r.why(mp) === undefined).map((r) => r.pkg) }));
    revdeps.push({ pkg: c.pkg, total: found.length, capped: chosen.length - kept.length, builds });
  }
  return { jobs, revdeps };
}

/** The name of a revdep job (for the control plane's expansion). */
export function revdepJobName(mp: MatrixPlatform, pkg: string, revdep: string): string {
  return jobName(mp, pkg, { type: 'revdep', revdep });
}
