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
  /**
   * Whether a revdep ("name.version") installs together with the changed release on a host
   * (`--coinstallable-with`); undefined when it cannot be judged there. With it, each host builds
   * the newest release of each revdep package that does; without it, the newest release wherever
   * its own opam file allows.
   */
  coinstallable?: (mp: MatrixPlatform, pkg: string, revdep: string) => boolean | undefined;
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
    const canHost = installability(c.pkg, input.textOf(c.pkg));
    const hostsHere = hosts.filter((mp) => canHost(mp) === undefined);
    // Releases of each revdep package, newest first, each with its own installability.
    const releases = new Map<string, Array<{ pkg: string; why: Why }>>();
    for (const r of [...found].reverse()) {
      const list = releases.get(r.name) ?? [];
      list.push({ pkg: r.pkg, why: installability(r.pkg, input.textOf(r.pkg)) });
      releases.set(r.name, list);
    }
    const perHost = hostsHere.map((mp) => ({ variant: mp.platform.variant, packages: [] as string[] }));
    let capped = 0;
    for (const r of chosen) {
      if (budget <= 0) {
        capped++;
        continue;
      }
      const picks = hostsHere.map((mp) => {
        const newest = releases.get(r.name)?.[0];
        const ok = (x: { pkg: string; why: Why }): boolean | undefined => (x.why(mp) === undefined ? input.coinstallable?.(mp, c.pkg, x.pkg) : false);
        // Without a verdict on this host: the newest release, where its opam file allows (the graph's answer).
        if (newest === undefined || ok(newest) === undefined) return newest !== undefined && newest.why(mp) === undefined ? newest.pkg : undefined;
        return releases.get(r.name)?.find((x) => ok(x) === true)?.pkg;
      });
      // A package no host can install with the release is no revdep job, and takes no place under the cap.
      if (input.coinstallable !== undefined && picks.every((p) => p === undefined)) continue;
      budget--;
      taken.add(r.name);
      picks.forEach((p, i) => p !== undefined && perHost[i]!.packages.push(p));
    }
    const builds = perHost;
    revdeps.push({ pkg: c.pkg, total: found.length, capped, builds });
  }
  return { jobs, revdeps };
}

/** The name of a revdep job (for the control plane's expansion). */
export function revdepJobName(mp: MatrixPlatform, pkg: string, revdep: string): string {
  return jobName(mp, pkg, { type: 'revdep', revdep });
}
