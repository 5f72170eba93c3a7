// `opam list --depends-on P [--recursive] [--coinstallable-with P] --all-versions`: the releases
// whose filtered dependencies accept P's version, optionally only those installable together
// with P (a real solve each, on one shared solver).
import { formulaAtoms } from '../formula.ts';
import { filterPackageFormula, versionMatches } from '../package-formula.ts';
import { evalFilterBool } from '../filter.ts';
import type { VariableEnv } from '../variables.ts';
import { compareVersions } from '../version-compare.ts';
import type { Formula } from '../formula.ts';
import type { VersionConstraint } from '../package-formula.ts';
import type { Release, Universe } from './universe.ts';
import { Solver } from './solve.ts';
import type { SolverOptions } from './solve.ts';
import { UnknownPackageError } from './errors.ts';
import { releaseEnv } from './release-env.ts';

export interface RevdepsOptions extends Pick<SolverOptions, 'vars' | 'timeoutMs' | 'maxSteps'> {
  recursive?: boolean;
  coinstallable?: boolean;
  withTest?: boolean;
  withDoc?: boolean;
  depopts?: boolean;
  /** Follow `{post}` dependencies (opam list --post); off by default, as in opam. */
  post?: boolean;
}

function env(r: Release, o: RevdepsOptions): VariableEnv {
  return releaseEnv(r, { post: o.post ?? false, withTest: o.withTest ?? false, withDoc: o.withDoc ?? false, pinned: false }, o.vars);
}

/** Sorted "name.version"s of the reverse dependencies of `pkg` ("name.version"). */
export function reverseDependencies(universe: Universe, pkg: string, o: RevdepsOptions): string[] {
  const dot = pkg.indexOf('.');
  const name = pkg.slice(0, dot);
  const version = pkg.slice(dot + 1);
  if (dot <= 0 || !universe.get(name, version)) throw new UnknownPackageError(`unknown package version "${pkg}"`);
  // Target name → (dependent release, constraint) over available releases.
  const edges = new Map<string, Array<{ r: Release; c: Formula<VersionConstraint> }>>();
  for (const list of universe.byName.values()) {
    for (const r of list) {
      const e = env(r, o);
      if (!evalFilterBool(r.available, e)) continue;
      const atoms = formulaAtoms(filterPackageFormula(r.depends, e));
      if (o.depopts) atoms.push(...formulaAtoms(filterPackageFormula(r.depopts, e)));
      for (const a of atoms) {
        const l = edges.get(a.name) ?? [];
        l.push({ r, c: a.constraint });
        edges.set(a.name, l);
      }
    }
  }
  const found = new Map<string, Release>();
  let frontier = [{ name, version }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const t of frontier) {
      for (const { r, c } of edges.get(t.name) ?? []) {
        const key = `${r.name}.${r.version}`;
        if (found.has(key) || !versionMatches(c, t.version)) continue;
        found.set(key, r);
        if (o.recursive) next.push(r);
      }
    }
    frontier = next;
  }
  found.delete(pkg);
  let out = [...found.values()];
  if (o.coinstallable) {
    const solver = new Solver(universe, { vars: o.vars, withTest: o.withTest, withDoc: o.withDoc, timeoutMs: o.timeoutMs, maxSteps: o.maxSteps, explain: false });
    const self = { name, constraint: { kind: 'atom' as const, atom: { op: '=' as const, version } }, text: pkg };
    // A solution holds the changed release and every release it selected: without test or doc
    // dependencies (which count only for requested packages) each of those is co-installable too,
    // and needs no solve of its own.
    const shown = new Set<string>();
    const reuse = !o.withTest && !o.withDoc;
    out = out.filter((r) => {
      if (r.name === name) return false;
      const key = `${r.name}.${r.version}`;
      if (shown.has(key)) return true;
      const res = solver.solve([self, { name: r.name, constraint: { kind: 'atom', atom: { op: '=', version: r.version } }, text: key }]);
      if (res.ok && reuse) for (const x of res.selection) shown.add(`${x.name}.${x.version}`);
      return res.ok;
    });
  }
  return out
    .sort((a, b) => (a.name === b.name ? compareVersions(a.version, b.version) : a.name < b.name ? -1 : 1))
    .map((r) => `${r.name}.${r.version}`);
}
