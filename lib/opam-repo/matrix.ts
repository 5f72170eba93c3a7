// The platforms an opam-repository PR is built on, from the operator's catalogue, grouped as
// opam-repo-ci groups them: `compilers` (the main distro, x86_64, every OCaml release),
// `distributions` (other x86_64 distros) and `extras` (other architectures).
import { DEFAULT_OPAM_VERSION, LTS_OCAML, MAIN_DISTRO } from '../analysis/index.ts';
import type { Platform } from '../analysis/index.ts';
import { compareReleases } from '../analysis/matrix.ts';
import { fullOcamlVersion } from '../analysis/opam-vars.ts';
import { majorMinor } from '../analysis/variant.ts';

export type MatrixGroup = 'compilers' | 'distributions' | 'extras';

export interface MatrixPlatform {
  platform: Platform;
  group: MatrixGroup;
  /** The platform's part of a job name: "5.4", "ubuntu-24.04-4.14", "arm64-5.4". */
  label: string;
}

export interface OpamRepoMatrix {
  platforms: MatrixPlatform[];
  /** The distro the compilers group, tests, lower bounds and revdeps run on. */
  mainDistro: string;
  /** Platforms left out, with why. */
  dropped: Array<{ variant: string; reason: string }>;
}

function labelOf(p: Platform, group: MatrixGroup, mainDistro: string): string {
  const ocaml = majorMinor(p.ocamlVersion);
  const opam = p.opamVersion === DEFAULT_OPAM_VERSION ? '' : `_opam-${p.opamVersion}`;
  if (group === 'compilers') return `${ocaml}${opam}`;
  if (group === 'distributions') return `${p.distro}-${ocaml}${opam}`;
  return `${p.distro === mainDistro ? '' : `${p.distro}-`}${p.arch}-${ocaml}${opam}`;
}

/** Groups the catalogue. Platforms whose image has no opam cannot build opam-repository packages. */
export function opamRepoMatrix(catalogue: readonly Platform[]): OpamRepoMatrix {
  const dropped: OpamRepoMatrix['dropped'] = [];
  const usable = catalogue.filter((p) => {
    if (p.preinstalled) dropped.push({ variant: p.variant, reason: 'the image has no opam' });
    return !p.preinstalled;
  });
  const x86 = usable.filter((p) => p.arch === 'x86_64');
  const mainDistro = x86.some((p) => p.distro === MAIN_DISTRO) ? MAIN_DISTRO : (x86[0]?.distro ?? MAIN_DISTRO);
  const platforms = usable.map((platform): MatrixPlatform => {
    const group: MatrixGroup = platform.arch !== 'x86_64' ? 'extras' : platform.distro === mainDistro ? 'compilers' : 'distributions';
    return { platform, group, label: labelOf(platform, group, mainDistro) };
  });
  return { platforms, mainDistro, dropped };
}

const byOcaml = (a: MatrixPlatform, b: MatrixPlatform): number =>
  compareReleases(fullOcamlVersion(a.platform.ocamlVersion), fullOcamlVersion(b.platform.ocamlVersion));

/** The compilers group, oldest OCaml first. */
export function compilers(m: OpamRepoMatrix): MatrixPlatform[] {
  return m.platforms.filter((p) => p.group === 'compilers').sort(byOcaml);
}

/** Where revdeps are built: the main distro with 4.14 and with the newest OCaml. */
export function revdepPlatforms(m: OpamRepoMatrix): MatrixPlatform[] {
  const c = compilers(m);
  const lts = c.find((p) => majorMinor(p.platform.ocamlVersion) === LTS_OCAML);
  const latest = c[c.length - 1];
  return [...new Set([lts, latest].filter((p): p is MatrixPlatform => p !== undefined))];
}

export type JobSuffix = { type: 'build' } | { type: 'tests' } | { type: 'lower-bounds' } | { type: 'revdep'; revdep: string };

/**
 * Job names are opam-repo-ci's tree paths, so people can match them with what they know:
 * "compilers,5.4,pkg.1.0", "compilers,5.4,pkg.1.0,tests", "compilers,4.14,pkg.1.0,lower-bounds",
 * "compilers,4.14,pkg.1.0,revdeps,other.2.1", "distributions,ubuntu-24.04-5.4,pkg.1.0",
 * "extras,arm64-5.4,pkg.1.0".
 */
export function jobName(mp: Pick<MatrixPlatform, 'group' | 'label'>, pkg: string, suffix: JobSuffix = { type: 'build' }): string {
  const base = `${mp.group},${mp.label},${pkg}`;
  switch (suffix.type) {
    case 'build':
      return base;
    case 'tests':
      return `${base},tests`;
    case 'lower-bounds':
      return `${base},lower-bounds`;
    case 'revdep':
      return `${base},revdeps,${suffix.revdep}`;
  }
}

export interface ParsedJobName {
  group: MatrixGroup;
  label: string;
  pkg: string;
  type: JobSuffix['type'];
  revdep?: string;
}

/** The inverse of {@link jobName}; undefined for other jobs ("(analysis)"). */
export function parseJobName(name: string): ParsedJobName | undefined {
  const parts = name.split(',');
  const [group, label, pkg, kind, revdep] = parts;
  if (group !== 'compilers' && group !== 'distributions' && group !== 'extras') return undefined;
  if (!label || !pkg) return undefined;
  if (parts.length === 3) return { group, label, pkg, type: 'build' };
  if (parts.length === 4 && (kind === 'tests' || kind === 'lower-bounds')) return { group, label, pkg, type: kind };
  if (parts.length === 5 && kind === 'revdeps' && revdep) return { group, label, pkg, type: 'revdep', revdep };
  return undefined;
}
