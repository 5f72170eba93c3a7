// ocaml-ci's solve step: per platform, the roots with their pins (test dependencies included)
// solved against the pinned opam-repository. A solution is the exact package set the build
// installs (so it is part of the step-cache key); no solution drops the platform with the
// solver's explanation.
import { DependencyCycleError, Solver, SolverTimeoutError, UnknownPackageError } from '../opam/solver/index.ts';
import type { PackageRequest, Universe } from '../opam/solver/index.ts';
import { fullOcamlVersion, platformVars } from './opam-vars.ts';
import type { Platform } from './platforms.ts';
import type { OpamFileEntry } from './repo-content.ts';

/**
 * One solve's budget (encoding included): an analysis solves once per platform, plus
 * (lower-bound). Generous, as a runner may be busy: a solve that runs out drops its platform.
 */
export const SOLVE_TIMEOUT_MS = 30_000;

export type DepsResult = { ok: true; packages: string[]; ms: number } | { ok: false; reason: string };

const exact = (name: string, version: string): PackageRequest => ({
  name,
  constraint: { kind: 'atom', atom: { op: '=', version } },
  text: `${name}.${version}`,
});

export class DepsSolver {
  private readonly universe: Universe;
  private readonly pins: Record<string, string>;
  /** Solvers keep their clauses between solves, so platforms share them where they can. */
  private readonly solvers: Solver[] = [];
  private readonly lowerBoundSolvers: Solver[] = [];

  /** `universe`: the pinned opam-repository's; `opamFiles`: the repository's own (roots and pins). */
  constructor(
    universe: Universe,
    opamFiles: readonly OpamFileEntry[],
    private readonly timeoutMs = SOLVE_TIMEOUT_MS,
  ) {
    this.universe = universe.withPinned(opamFiles.map((e) => [e.pkg, e.text]));
    this.pins = Object.fromEntries(opamFiles.map((e) => [e.name, e.pkg.slice(e.name.length + 1)]));
  }

  /**
   * A solver whose encoding read only variables on which this platform agrees (most platforms
   * differ in variables few packages look at), else a new one.
   */
  private solverFor(vars: Record<string, string>, lowerBounds: boolean): Solver {
    const list = lowerBounds ? this.lowerBoundSolvers : this.solvers;
    const shared = list.find((s) => s.agreesWith(vars));
    if (shared) return shared;
    const s = new Solver(this.universe, { vars, withTest: true, lowerBounds, pins: this.pins, timeoutMs: this.timeoutMs });
    list.push(s);
    return s;
  }

  /** The exact "name.version" set that installs `roots` ("name.version") on `platform`, or why none does. */
  solve(platform: Platform, roots: readonly string[], opts: { lowerBounds?: boolean } = {}): DepsResult {
    const ocaml = fullOcamlVersion(platform.ocamlVersion);
    const requests = [
      exact('ocaml', ocaml),
      ...roots.map((r) => {
        const dot = r.indexOf('.');
        return exact(r.slice(0, dot), r.slice(dot + 1));
      }),
    ];
    // The OCaml release is a request (ocaml.X), not a variable, so that platforms can share solvers.
    const { 'ocaml:version': _ocaml, ...vars } = platformVars(platform);
    const lowerBounds = opts.lowerBounds ?? false;
    try {
      let solver = this.solverFor(vars, lowerBounds);
      let r = solver.solve(requests);
      if (!solver.agreesWith(vars)) {
        // This solve encoded more of the universe, reading a variable this platform sees otherwise.
        const list = lowerBounds ? this.lowerBoundSolvers : this.solvers;
        solver = new Solver(this.universe, { vars, withTest: true, lowerBounds, pins: this.pins, timeoutMs: this.timeoutMs });
        list.push(solver);
        r = solver.solve(requests);
      }
      if (r.ok) return { ok: true, packages: r.selection.map((s) => `${s.name}.${s.version}`), ms: r.ms };
      return { ok: false, reason: r.explanation.join('; ') || 'no solution' };
    } catch (e) {
      if (e instanceof UnknownPackageError) return { ok: false, reason: `the opam-repository commit has no ocaml.${ocaml}: ${e.message}` };
      if (e instanceof SolverTimeoutError || e instanceof DependencyCycleError) return { ok: false, reason: e.message };
      throw e;
    }
  }
}
