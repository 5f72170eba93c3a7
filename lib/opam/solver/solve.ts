// The solver: encodes the part of a universe a request can reach into clauses (lazily, and kept
// between requests, so revdeps can ask thousands of questions of one instance) and searches like
// opam-0install: newest version first (oldest with `lowerBounds`), backtracking on conflicts.
import type { Formula } from '../formula.ts';
import { formatFormula, formulaAtoms } from '../formula.ts';
import type { ResolvedAtom, VersionConstraint } from '../package-formula.ts';
import { filterPackageFormula, formatVersionConstraint, versionMatches } from '../package-formula.ts';
import { evalFilterBool } from '../filter.ts';
import { compareVersions } from '../version-compare.ts';
import type { VariableEnv } from '../variables.ts';
import type { Release, Universe } from './universe.ts';
import { BudgetExceeded, Sat, neg, pos } from './sat.ts';
import type { Clause, Lit } from './sat.ts';
import type { PackageRequest } from './request.ts';
import { DependencyCycleError, SolverTimeoutError, UnknownPackageError } from './errors.ts';
import { releaseEnv } from './release-env.ts';

export interface SolverOptions {
  /** Global variables: arch, os, os-family, os-distribution, os-version, opam-version, … */
  vars: Record<string, string | boolean>;
  /** `with-test` / `with-doc` for the requested packages (opam's --with-test / --with-doc). */
  withTest?: boolean;
  withDoc?: boolean;
  /** Prefer the oldest versions (opam's lower-bounds criteria). */
  lowerBounds?: boolean;
  /** name → the one version it is pinned to. */
  pins?: Record<string, string>;
  /** Budget of one solve. */
  timeoutMs?: number;
  maxSteps?: number;
  /** Explain failures (default true); batch questions that only need yes/no turn it off. */
  explain?: boolean;
}

/** Why a clause exists, in terms a person can act on. */
export type Origin =
  | { kind: 'request'; text: string }
  | { kind: 'depends'; pkg: string; text: string; missing?: string }
  | { kind: 'conflicts'; pkg: string; text: string }
  | { kind: 'one-version'; name: string }
  | { kind: 'conflict-class'; cls: string };

export interface Selected {
  name: string;
  version: string;
}

export type SolveResult =
  | { ok: true; selection: Selected[]; ms: number }
  | { ok: false; explanation: string[]; ms: number };

interface NameEntry {
  releases: Release[];
  vars: number[];
  /** Filtered depends for the plain case and for a requested package (with-test/with-doc). */
  deps: Formula<ResolvedAtom>[];
  reqDeps: (Formula<ResolvedAtom> | undefined)[];
  /** Guard variable: true when this name is requested with tests/docs. */
  guard?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_STEPS = 50_000_000;

export class Solver {
  private readonly sat = new Sat<Origin>();
  private readonly names = new Map<string, NameEntry>();
  private readonly pending = new Map<string, Array<{ p: number; pkg: string; atom: ResolvedAtom }>>();
  private readonly classes = new Map<string, Map<string, number>>();
  private readonly selectors = new Map<string, number>();
  private readonly varRelease: (Release | undefined)[] = [];
  private readonly matchCache = new Map<string, number[]>();
  /** The clauses of each name's one-version rule: explanations keep or drop them as a whole. */
  private readonly ladders = new Map<string, Clause<Origin>[]>();

  /**
   * The global variables the encoding has read so far, with their values. Another platform that
   * gives every one of them the same value would get the same clauses, so it may share this solver
   * (see `agreesWith`).
   */
  readonly reads = new Map<string, string | boolean | undefined>();
  private readonly vars: Record<string, string | boolean | undefined>;

  constructor(
    readonly universe: Universe,
    readonly options: SolverOptions,
  ) {
    const reads = this.reads;
    const vars = options.vars;
    this.vars = new Proxy(vars, {
      get(target, key) {
        const value = typeof key === 'string' && Object.hasOwn(target, key) ? target[key] : undefined;
        if (typeof key === 'string') reads.set(key, value);
        return value;
      },
    });
  }

  /** Whether `vars` give every variable read so far the value this solver was given. */
  agreesWith(vars: Record<string, string | boolean>): boolean {
    for (const [k, v] of this.reads) if ((Object.hasOwn(vars, k) ? vars[k] : undefined) !== v) return false;
    return true;
  }

  private envFor(r: Release, requested: boolean): VariableEnv {
    const o = this.options;
    // Test and doc dependencies count only for the requested packages, as `opam install --with-test`.
    const flags = { post: true, withTest: requested && (o.withTest ?? false), withDoc: requested && (o.withDoc ?? false), pinned: o.pins?.[r.name] !== undefined };
    return releaseEnv(r, flags, this.vars);
  }

  private available(r: Release): boolean {
    const pin = this.options.pins?.[r.name];
    if (pin !== undefined) return r.version === pin;
    return evalFilterBool(r.available, this.envFor(r, false));
  }

  /** Adds every name reachable from `roots` through depends (both variants). */
  private ensure(roots: string[]): void {
    const added: string[] = [];
    const work = [...roots];
    while (work.length > 0) {
      const name = work.pop()!;
      if (this.names.has(name)) continue;
      const all = this.universe.byName.get(name) ?? [];
      const releases = all.filter((r) => this.available(r));
      // Preference order: newest (or oldest) first, avoided versions last, as opam-0install.
      if (this.options.lowerBounds) releases.reverse();
      const avoid = (r: Release): number => (r.flags.includes('avoid-version') || r.flags.includes('deprecated') ? 1 : 0);
      releases.sort((a, b) => avoid(a) - avoid(b));
      const entry: NameEntry = { releases, vars: [], deps: [], reqDeps: [] };
      for (const r of releases) {
        const v = this.sat.newVar();
        this.varRelease[v] = r;
        entry.vars.push(v);
        const deps = filterPackageFormula(r.depends, this.envFor(r, false));
        const reqDeps = this.options.withTest || this.options.withDoc ? filterPackageFormula(r.depends, this.envFor(r, true)) : undefined;
        entry.deps.push(deps);
        const differs = reqDeps !== undefined && formatDeps(reqDeps) !== formatDeps(deps);
        entry.reqDeps.push(differs ? reqDeps : undefined);
        for (const a of formulaAtoms(deps)) work.push(a.name);
        if (differs) for (const a of formulaAtoms(reqDeps)) work.push(a.name);
      }
      if (entry.reqDeps.some((d) => d !== undefined)) entry.guard = this.sat.newVar();
      this.names.set(name, entry);
      added.push(name);
    }
    for (const name of added) this.encode(name);
  }

  /** Variables of the releases of `name` matching `c`, in preference order. */
  private matching(name: string, c: Formula<VersionConstraint>): number[] {
    const key = `${name} ${formatVersionConstraint(c)}`;
    let out = this.matchCache.get(key);
    if (!out) {
      const e = this.names.get(name);
      out = [];
      if (e) e.releases.forEach((r, i) => versionMatches(c, r.version) && out!.push(e.vars[i]!));
      this.matchCache.set(key, out);
    }
    return out;
  }

  private missingNote(a: ResolvedAtom): string {
    const all = this.universe.byName.get(a.name);
    if (!all) return `no package ${a.name} in the repository`;
    const matching = all.filter((r) => versionMatches(a.constraint, r.version));
    if (matching.length === 0) return `the repository has no version of ${a.name} that matches`;
    return `${matching.map((r) => `${r.name}.${r.version}`).slice(0, 3).join(', ')}${matching.length > 3 ? ', …' : ''} not available here`;
  }

  /** CNF of `f` (extra variables for nested alternatives), each clause with the text it stands for. */
  private cnf(f: Formula<ResolvedAtom>, pkg: string, missing: string[]): Array<{ lits: Lit[]; text: string }> {
    switch (f.kind) {
      case 'empty':
        return [];
      case 'block':
        return this.cnf(f.formula, pkg, missing);
      case 'atom': {
        const lits = this.matching(f.atom.name, f.atom.constraint).map(pos);
        if (lits.length === 0) missing.push(this.missingNote(f.atom));
        return [{ lits, text: formatAtom(f.atom) }];
      }
      case 'and':
        return [...this.cnf(f.left, pkg, missing), ...this.cnf(f.right, pkg, missing)];
      case 'or': {
        const side = (g: Formula<ResolvedAtom>): { lits: Lit[]; text: string } | undefined => {
          const cs = this.cnf(g, pkg, missing);
          if (cs.length === 0) return undefined; // true
          if (cs.length === 1) return cs[0];
          const t = this.sat.newVar();
          for (const c of cs) this.sat.addClause([neg(t), ...c.lits], { kind: 'depends', pkg, text: c.text });
          return { lits: [pos(t)], text: `(${cs.map((c) => c.text).join(' & ')})` };
        };
        const l = side(f.left);
        const r = side(f.right);
        if (!l || !r) return [];
        return [{ lits: [...l.lits, ...r.lits], text: `${l.text} | ${r.text}` }];
      }
    }
  }

  private encode(name: string): void {
    const e = this.names.get(name)!;
    // At most one version: a ladder (sequential counter), linear in the number of versions.
    const n = e.vars.length;
    if (n > 1) {
      const origin: Origin = { kind: 'one-version', name };
      const s = e.vars.map(() => this.sat.newVar());
      const ladder: Clause<Origin>[] = [];
      const add = (lits: Lit[]): void => {
        const c = this.sat.addClause(lits, origin);
        if (c) ladder.push(c);
      };
      for (let i = 0; i < n; i++) {
        add([neg(e.vars[i]!), pos(s[i]!)]);
        if (i + 1 < n) {
          add([neg(s[i]!), pos(s[i + 1]!)]);
          add([neg(s[i]!), neg(e.vars[i + 1]!)]);
        }
      }
      this.ladders.set(name, ladder);
    }
    e.releases.forEach((r, i) => {
      const p = e.vars[i]!;
      const pkg = `${r.name}.${r.version}`;
      const addDeps = (f: Formula<ResolvedAtom>, guard: Lit[]): void => {
        const missing: string[] = [];
        for (const c of this.cnf(f, pkg, missing)) {
          const note = c.lits.length === 0 ? missing.shift() : undefined;
          this.sat.addClause([neg(p), ...guard, ...c.lits], { kind: 'depends', pkg, text: c.text, ...(note ? { missing: note } : {}) });
        }
      };
      addDeps(e.deps[i]!, []);
      const req = e.reqDeps[i];
      if (req !== undefined && e.guard !== undefined) addDeps(req, [neg(e.guard)]);
      for (const a of formulaAtoms(filterPackageFormula(r.conflicts, this.envFor(r, false)))) {
        if (this.names.has(a.name)) this.conflict(p, pkg, a);
        else {
          const list = this.pending.get(a.name) ?? [];
          list.push({ p, pkg, atom: a });
          this.pending.set(a.name, list);
        }
      }
      for (const cls of r.conflictClass) this.sat.addClause([neg(p), pos(this.classVar(cls, name))], { kind: 'conflict-class', cls });
    });
    for (const c of this.pending.get(name) ?? []) this.conflict(c.p, c.pkg, c.atom);
    this.pending.delete(name);
  }

  private conflict(p: number, pkg: string, a: ResolvedAtom): void {
    for (const q of this.matching(a.name, a.constraint)) {
      if (q !== p) this.sat.addClause([neg(p), neg(q)], { kind: 'conflicts', pkg, text: formatAtom(a) });
    }
  }

  /** One indicator per (class, name); two names of a class exclude each other. */
  private classVar(cls: string, name: string): number {
    let members = this.classes.get(cls);
    if (!members) this.classes.set(cls, (members = new Map()));
    let v = members.get(name);
    if (v === undefined) {
      v = this.sat.newVar();
      for (const other of members.values()) this.sat.addClause([neg(v), neg(other)], { kind: 'conflict-class', cls });
      members.set(name, v);
    }
    return v;
  }

  private selector(req: PackageRequest): number {
    const key = `${req.name} ${formatVersionConstraint(req.constraint)}`;
    let s = this.selectors.get(key);
    if (s === undefined) {
      s = this.sat.newVar();
      this.sat.addClause([neg(s), ...this.matching(req.name, req.constraint).map(pos)], { kind: 'request', text: req.text });
      this.selectors.set(key, s);
    }
    return s;
  }

  /** Checks that every requested package exists with a matching version (else a typed error). */
  private checkKnown(requests: PackageRequest[]): void {
    for (const r of requests) {
      const all = this.universe.byName.get(r.name);
      if (!all) throw new UnknownPackageError(`unknown package "${r.name}": the repository has no such package`);
      if (!all.some((x) => versionMatches(r.constraint, x.version))) {
        throw new UnknownPackageError(`no version of ${r.name} matches "${r.text}" (versions: ${all.map((x) => x.version).reverse().join(', ')})`);
      }
    }
  }

  /** A selection satisfying all requests, or why there is none. */
  solve(requests: PackageRequest[]): SolveResult {
    const start = Date.now();
    this.checkKnown(requests);
    this.ensure(requests.map((r) => r.name));
    const assumptions: Lit[] = requests.map((r) => pos(this.selector(r)));
    for (const r of requests) {
      const g = this.names.get(r.name)?.guard;
      if (g !== undefined) assumptions.push(pos(g));
    }
    const timeout = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxSteps = this.options.maxSteps ?? DEFAULT_MAX_STEPS;
    const steps0 = this.sat.steps;
    const check = (): void => {
      if (Date.now() - start > timeout || this.sat.steps - steps0 > maxSteps) throw new BudgetExceeded();
    };
    let res;
    try {
      res = this.sat.solve(assumptions, check);
    } catch (e) {
      if (e instanceof BudgetExceeded) throw new SolverTimeoutError(Date.now() - start, this.sat.steps - steps0);
      throw e;
    }
    if (res.sat) {
      const selection = this.selection();
      this.checkCycles(selection);
      return { ok: true, selection, ms: Date.now() - start };
    }
    if (this.options.explain === false) return { ok: false, explanation: [], ms: Date.now() - start };
    return { ok: false, explanation: explain(minimizeCore(this.completeCore(res.core ?? []), assumptions, this.sat.varCount, new Set(requests.map((r) => r.name)))), ms: Date.now() - start };
  }

  /**
   * opam installs dependencies first, so a cycle of (non-{post}) dependencies among the selection
   * cannot be built: a typed error naming the cycle, rather than a plan that cannot run.
   */
  private checkCycles(selection: Selected[]): void {
    const chosen = new Map(selection.map((s) => [s.name, s.version]));
    const next = new Map<string, string[]>();
    for (const s of selection) {
      const r = this.universe.get(s.name, s.version)!;
      const base = this.envFor(r, false);
      const env: VariableEnv = (v) => (v === 'post' ? false : base(v));
      const deps = formulaAtoms(filterPackageFormula(r.depends, env)).filter((a) => {
        const v = chosen.get(a.name);
        return v !== undefined && versionMatches(a.constraint, v);
      });
      next.set(s.name, [...new Set(deps.map((a) => a.name))]);
    }
    const state = new Map<string, 1 | 2>();
    const path: string[] = [];
    const visit = (n: string): void => {
      state.set(n, 1);
      path.push(n);
      for (const m of next.get(n) ?? []) {
        if (state.get(m) === 1) {
          const cycle = [...path.slice(path.indexOf(m)), m].map((x) => `${x}.${chosen.get(x)!}`);
          throw new DependencyCycleError(cycle);
        }
        if (!state.has(m)) visit(m);
      }
      path.pop();
      state.set(n, 2);
    };
    for (const s of selection) if (!state.has(s.name)) visit(s.name);
  }

  /** A core with each one-version rule it touches in full (a core may hold part of a ladder). */
  private completeCore(core: Clause<Origin>[]): Clause<Origin>[] {
    const out = core.filter((c) => c.origin?.kind !== 'one-version');
    const names = new Set(core.flatMap((c) => (c.origin?.kind === 'one-version' ? [c.origin.name] : [])));
    for (const n of names) out.push(...(this.ladders.get(n) ?? []));
    return out;
  }

  private selection(): Selected[] {
    const out: Selected[] = [];
    for (const e of this.names.values()) {
      e.vars.forEach((v, i) => {
        if (this.sat.isTrue(v)) out.push({ name: e.releases[i]!.name, version: e.releases[i]!.version });
      });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function formatAtom(a: ResolvedAtom): string {
  return a.constraint.kind === 'empty' ? a.name : `${a.name} {${formatVersionConstraint(a.constraint)}}`;
}

function formatDeps(f: Formula<ResolvedAtom>): string {
  return formatFormula(f, formatAtom);
}

const originKey = (o: Origin): string =>
  o.kind === 'one-version' ? `v ${o.name}` : o.kind === 'conflict-class' ? `c ${o.cls}` : o.kind === 'request' ? `r ${o.text}` : `${o.kind} ${o.pkg} ${o.text}`;

/**
 * Drops what the contradiction does not need, a whole constraint at a time (deletion-based),
 * trying the most remote facts first so that the requests, the one-version rules and the direct
 * dependencies of what was asked for are what remains.
 */
function minimizeCore(core: Clause<Origin>[], assumptions: Lit[], nVars: number, requested: Set<string>): Clause<Origin>[] {
  const groups = new Map<string, Clause<Origin>[]>();
  for (const c of core) {
    const k = originKey(c.origin!);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  if (groups.size > 300) return core;
  const weight = (o: Origin): number => {
    if (o.kind === 'request') return 5;
    if (o.kind === 'one-version') return 4;
    if (o.kind === 'depends' || o.kind === 'conflicts') return requested.has(o.pkg.slice(0, o.pkg.indexOf('.'))) ? 3 : o.kind === 'conflicts' ? 1 : 0;
    return 2;
  };
  let kept = [...groups.values()].sort((a, b) => weight(a[0]!.origin!) - weight(b[0]!.origin!));
  const unsat = (gs: Clause<Origin>[][]): boolean => {
    const s = new Sat<Origin>();
    for (let i = 0; i < nVars; i++) s.newVar();
    for (const g of gs) for (const c of g) s.addClause([...(c.order ?? c.lits)], c.origin!);
    return !s.solve(assumptions).sat;
  };
  for (let i = 0; i < kept.length; ) {
    const without = kept.filter((_, j) => j !== i);
    if (unsat(without)) kept = without;
    else i++;
  }
  return kept.flat();
}

/** A few lines naming the constraints that clash and who imposes them; versions sharing a reason are listed together. */
function explain(core: Clause<Origin>[]): string[] {
  const rank = { request: 0, depends: 1, conflicts: 2, 'conflict-class': 3, 'one-version': 4 } as const;
  const byReason = new Map<string, { o: Origin; versions: string[] }>();
  for (const c of core) {
    const o = c.origin!;
    const key = o.kind === 'depends' || o.kind === 'conflicts' ? `${o.kind} ${o.pkg.slice(0, o.pkg.indexOf('.'))} ${o.text}` : originKey(o);
    const entry = byReason.get(key) ?? { o, versions: [] };
    if (o.kind === 'depends' || o.kind === 'conflicts') {
      const v = o.pkg.slice(o.pkg.indexOf('.') + 1);
      if (!entry.versions.includes(v)) entry.versions.push(v);
    }
    byReason.set(key, entry);
  }
  const who = (pkg: string, versions: string[]): string => {
    const name = pkg.slice(0, pkg.indexOf('.'));
    return versions.length === 1 ? `${name}.${versions[0]}` : `${name} (versions ${versions.join(', ')})`;
  };
  return [...byReason.entries()]
    .sort(([ka, a], [kb, b]) => rank[a.o.kind] - rank[b.o.kind] || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, { o, versions }]) => {
      versions.sort((x, y) => compareVersions(y, x));
      switch (o.kind) {
        case 'request':
          return `you asked for ${o.text}`;
        case 'depends':
          return `${who(o.pkg, versions)} ${versions.length > 1 ? 'require' : 'requires'} ${o.text}${o.missing ? `, but ${o.missing}` : ''}`;
        case 'conflicts':
          return `${who(o.pkg, versions)} ${versions.length > 1 ? 'conflict' : 'conflicts'} with ${o.text}`;
        case 'conflict-class':
          return `only one package of conflict-class "${o.cls}" can be installed`;
        case 'one-version':
          return `only one version of ${o.name} can be installed`;
      }
    });
}
