// Reverse dependencies over a whole opam repository, as opam-repo-ci lists them with
// `opam list --depends-on P --coinstallable-with P --all-versions` (direct, with tests) and the
// same with `--recursive` (without tests). Built once per analysis; each query is a graph walk.
import { compareVersions, EMPTY, evalFormula, filterPackageFormula, formulaAtoms, parsePackageId, versionMatches } from '../opam/index.ts';
import type { Formula, ResolvedAtom, VariableEnv, VersionConstraint } from '../opam/index.ts';
import { DEFAULT_OPAM_VERSION } from '../analysis/index.ts';
import { isUnavailable, parseOpam, readLoose } from './opam-file.ts';

interface Entry {
  name: string;
  version: string;
  unavailable: boolean;
  /** `depends` with filters applied, to check it can be installed with a given release of a package. */
  deps: Formula<ResolvedAtom>;
  /** The names `deps` mentions, to skip the formula when it cannot matter. */
  mentions: Set<string>;
  /** Versions it conflicts with, per package name. */
  conflicts: Map<string, Formula<VersionConstraint>[]>;
}

interface Edge {
  /** Index of the dependent release. */
  from: number;
  constraint: Formula<VersionConstraint>;
}

/**
 * The variables filters are judged with: a switch on the main distro (Debian, x86_64), as the
 * revdeps are built there, with the opam of the revdep jobs (`opam-version`, added per index).
 * Variables left undefined count as true, so a dependency that holds somewhere is kept.
 * `post` is false: `opam list --depends-on` leaves out post dependencies (its `--post` is off by
 * default), since a post dependency is installed after the package, not needed by it.
 */
const BASE_VARS: Readonly<Record<string, string | boolean>> = {
  os: 'linux',
  arch: 'x86_64',
  'os-family': 'debian',
  'os-distribution': 'debian',
  build: true,
  post: false,
  'with-doc': false,
  'with-dev-setup': false,
  dev: false,
  pinned: false,
};

function envFor(vars: Readonly<Record<string, string | boolean>>, name: string, version: string, withTest: boolean): VariableEnv {
  // Called for every filter of every release: no allocation per lookup.
  return (v) => (v === 'name' ? name : v === 'version' ? version : v === 'with-test' ? withTest : vars[v]);
}

/**
 * Atoms every solution needs: those not under an `|`. The recursive walk follows only these, or
 * it would run through the compiler: `ocaml` depends on `ocaml-base-compiler | ocaml-variants`,
 * and one BER MetaOCaml variant depends on ocamlfind, which would make every package a revdep.
 */
function mandatoryAtoms<A>(f: Formula<A>, out: A[] = []): A[] {
  if (f.kind === 'atom') out.push(f.atom);
  else if (f.kind === 'and') {
    mandatoryAtoms(f.left, out);
    mandatoryAtoms(f.right, out);
  } else if (f.kind === 'block') mandatoryAtoms(f.formula, out);
  return out;
}

function group(atoms: Iterable<ResolvedAtom>): Map<string, Formula<VersionConstraint>[]> {
  const out = new Map<string, Formula<VersionConstraint>[]>();
  for (const a of atoms) {
    const list = out.get(a.name);
    if (list) list.push(a.constraint);
    else out.set(a.name, [a.constraint]);
  }
  return out;
}

export interface Revdep {
  /** "name.version" */
  pkg: string;
  name: string;
  version: string;
  /** Depends on the package itself (not only through others). */
  direct: boolean;
}

export interface RevdepsOptions {
  /**
   * The `opam-version` filters are judged with: that of the platforms the revdeps are built on
   * (platformVars' value). Default {@link DEFAULT_OPAM_VERSION}.
   */
  opamVersion?: string;
}

export interface RevdepsQuery {
  /** Releases never reported ("name.version"), e.g. those the PR builds anyway. They still lead on to their own revdeps. */
  exclude?: ReadonlySet<string>;
}

export class RevdepsIndex {
  private readonly entries: Entry[] = [];
  private readonly byPkg = new Map<string, number>();
  /** Package name → releases that depend on it directly (depends with tests, and depopts). */
  private readonly direct = new Map<string, Edge[]>();
  /** Package name → releases that cannot be installed without it (mandatory depends, no tests). */
  private readonly required = new Map<string, Edge[]>();
  /** Files that could not be parsed ("name.version: reason"); they take no part in the graph. */
  readonly unreadable: string[] = [];
  private readonly vars: Readonly<Record<string, string | boolean>>;

  private constructor(options: RevdepsOptions) {
    this.vars = { ...BASE_VARS, 'opam-version': options.opamVersion ?? DEFAULT_OPAM_VERSION };
  }

  /** Every release of a repository: "name.version" and the opam file's text. */
  static build(releases: Iterable<{ pkg: string; text: string }>, options: RevdepsOptions = {}): RevdepsIndex {
    const index = new RevdepsIndex(options);
    for (const r of releases) index.add(r.pkg, r.text);
    index.computeMasks();
    return index;
  }

  get size(): number {
    return this.entries.length;
  }

  has(pkg: string): boolean {
    return this.byPkg.has(pkg);
  }

  private add(pkg: string, text: string): void {
    const id = parsePackageId(pkg);
    if (!id || this.byPkg.has(pkg)) return;
    const parsed = parseOpam(text, pkg);
    if (!parsed.ok) {
      this.unreadable.push(`${pkg}: ${parsed.error}`);
      return;
    }
    const file = parsed.file;
    const depends = readLoose(file, 'depends');
    const depopts = readLoose(file, 'depopts');
    const conflicts = readLoose(file, 'conflicts');
    const withTests = envFor(this.vars, id.name, id.version, true);
    const filtered = depends === undefined ? EMPTY : filterPackageFormula(depends, withTests, { fallback: true });
    const dependsWithTests = formulaAtoms(filtered);
    const optional = depopts === undefined ? [] : formulaAtoms(filterPackageFormula(depopts, withTests, { fallback: true }));
    const mandatory = depends === undefined ? [] : mandatoryAtoms(filterPackageFormula(depends, envFor(this.vars, id.name, id.version, false), { fallback: true }));
    const index = this.entries.length;
    this.entries.push({
      name: id.name,
      version: id.version,
      unavailable: isUnavailable(file),
      deps: filtered,
      mentions: new Set(dependsWithTests.map((a) => a.name)),
      conflicts: conflicts === undefined ? new Map() : group(formulaAtoms(filterPackageFormula(conflicts, withTests, { fallback: true }))),
    });
    this.byPkg.set(pkg, index);
    const link = (edges: Map<string, Edge[]>, atoms: Iterable<ResolvedAtom>): void => {
      for (const a of atoms) {
        const list = edges.get(a.name);
        const edge = { from: index, constraint: a.constraint };
        if (list) list.push(edge);
        else edges.set(a.name, [edge]);
      }
    };
    link(this.direct, dependsWithTests);
    link(this.direct, optional);
    link(this.required, mandatory);
  }

  /**
   * Which OCaml releases each entry accepts, as a bit set over `releases` (the newest patch of
   * every minor release of the `ocaml` package). Two releases with no OCaml in common cannot be
   * installed together: a cheap stand-in for `--coinstallable-with`'s solver check.
   */
  private releases: string[] = [];
  private masks: Int32Array = new Int32Array(0);

  private computeMasks(): void {
    const newest = new Map<string, string>();
    for (const e of this.entries) {
      if (e.name !== 'ocaml' || !/^\d+\.\d+\.\d+$/.test(e.version)) continue;
      const minor = e.version.replace(/\.\d+$/, '');
      const cur = newest.get(minor);
      if (cur === undefined || compareVersions(e.version, cur) > 0) newest.set(minor, e.version);
    }
    this.releases = [...newest.values()].sort(compareVersions).slice(-31);
    const all = this.releases.length === 0 ? -1 : (1 << this.releases.length) - 1;
    this.masks = new Int32Array(this.entries.length);
    this.entries.forEach((e, i) => {
      if (e.name === 'ocaml') {
        const bit = this.releases.indexOf(e.version);
        this.masks[i] = bit < 0 ? all : 1 << bit;
        return;
      }
      let mask = 0;
      this.releases.forEach((r, bit) => {
        if (this.coinstallable(e, 'ocaml', r)) mask |= 1 << bit;
      });
      this.masks[i] = this.releases.length === 0 ? all : mask;
    });
  }

  /** Whether release `e` can be installed together with `name` at `version` (its own dependencies and conflicts allow it). */
  private coinstallable(e: Entry, name: string, version: string): boolean {
    // As isVersionAllowed: other packages' atoms count as satisfiable, so alternatives are honoured.
    if (e.mentions.has(name) && !evalFormula(e.deps, (a) => (a.name === name ? versionMatches(a.constraint, version) : true))) return false;
    const clash = e.conflicts.get(name);
    return clash === undefined || !clash.some((c) => versionMatches(c, version));
  }

  /**
   * The releases that depend on `pkg` ("name.version") with constraints its version satisfies:
   * directly (test and optional dependencies included) or through other such releases, that can
   * be installed with it (their constraints on it hold and they share an OCaml release with it
   * and the releases in between). Releases with `available: false` are left out. Sorted by name,
   * then version.
   */
  revdeps(pkg: string, query: RevdepsQuery = {}): Revdep[] {
    const root = parsePackageId(pkg);
    if (!root) return [];
    const rootIndex = this.byPkg.get(pkg);
    const rootMask = rootIndex === undefined ? -1 : (this.masks[rootIndex] ?? -1);
    const direct = new Set<number>();
    const found = new Set<number>();
    // 0 unknown, 1 can be installed with the root, 2 cannot.
    const withRoot = new Uint8Array(this.entries.length);
    const installable = (i: number): boolean => {
      if (withRoot[i] === 0) {
        const dep = this.entries[i] as Entry;
        withRoot[i] = !dep.unavailable && i !== rootIndex && this.coinstallable(dep, root.name, root.version) ? 1 : 2;
      }
      return withRoot[i] === 1;
    };
    // Direct revdeps: test and optional dependencies included (opam list --with-test / --depopts).
    for (const e of this.direct.get(root.name) ?? []) {
      if ((rootMask & (this.masks[e.from] ?? 0)) !== 0 && installable(e.from) && versionMatches(e.constraint, root.version)) direct.add(e.from);
    }
    // The recursive walk (opam list --recursive) follows only mandatory, non-test dependencies. A
    // release is walked again only when reached through OCaml releases it was not reached through.
    const walked = new Int32Array(this.entries.length);
    let frontier: Array<{ name: string; version: string; mask: number }> = [{ ...root, mask: rootMask }];
    while (frontier.length > 0) {
      const next: typeof frontier = [];
      for (const node of frontier) {
        for (const e of this.required.get(node.name) ?? []) {
          const before = walked[e.from] ?? 0;
          const mask = node.mask & (this.masks[e.from] ?? 0);
          if ((mask & ~before) === 0 || !installable(e.from) || !versionMatches(e.constraint, node.version)) continue;
          walked[e.from] = before | mask;
          found.add(e.from);
          const dep = this.entries[e.from] as Entry;
          next.push({ name: dep.name, version: dep.version, mask });
        }
      }
      frontier = next;
    }
    const exclude = query.exclude ?? new Set<string>();
    return [...new Set([...direct, ...found])]
      .map((i) => ({ e: this.entries[i] as Entry, direct: direct.has(i) }))
      .filter(({ e }) => !exclude.has(`${e.name}.${e.version}`))
      .sort((a, b) => (a.e.name === b.e.name ? compareVersions(a.e.version, b.e.version) : a.e.name < b.e.name ? -1 : 1))
      .map(({ e, direct: d }) => ({ pkg: `${e.name}.${e.version}`, name: e.name, version: e.version, direct: d }));
  }
}
