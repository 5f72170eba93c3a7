// `--coinstallable-with` for revdep jobs: whether a reverse dependency can be installed together
// with the changed release on a platform, by a real solve (the changed release, the revdep and
// the platform's ocaml.X; test dependencies included, as `opam list --with-test`). A dependency
// that forbids the new version (daypack-lib needs oseq < 0.5 for oseq 0.5.1) rules it out, which
// the graph walk of revdeps.ts cannot see.
import { fullOcamlVersion, platformVars } from '../analysis/index.ts';
import type { Platform } from '../analysis/index.ts';
import { DependencyCycleError, Solver, SolverTimeoutError } from '../opam/solver/index.ts';
import type { PackageRequest, Universe } from '../opam/solver/index.ts';

/** One question's budget: a PR asks up to one per revdep and host. */
export const COINSTALL_TIMEOUT_MS = 5_000;

const exact = (pkg: string): PackageRequest => {
  const dot = pkg.indexOf('.');
  const name = pkg.slice(0, dot);
  const version = pkg.slice(dot + 1);
  return { name, constraint: { kind: 'atom', atom: { op: '=', version } }, text: pkg };
};

export class Coinstallability {
  /** One solver per set of platform variables: its clauses serve every later question. */
  private readonly solvers = new Map<string, Solver>();
  /** Questions the solver could not answer in time (kept as revdeps: the build tells). */
  readonly gaveUp: string[] = [];

  constructor(
    readonly universe: Universe,
    private readonly timeoutMs = COINSTALL_TIMEOUT_MS,
  ) {}

  /** Whether this universe can judge a platform: it needs the platform's OCaml (a partial tree may lack it). */
  judges(platform: Platform): boolean {
    return this.universe.get('ocaml', fullOcamlVersion(platform.ocamlVersion)) !== undefined;
  }

  /** Whether `revdep` installs together with `pkg` ("name.version" both) on `platform`. */
  check(platform: Platform, pkg: string, revdep: string): boolean {
    const { 'ocaml:version': _ocaml, ...vars } = platformVars(platform);
    const key = JSON.stringify(vars);
    let solver = this.solvers.get(key);
    if (!solver) {
      solver = new Solver(this.universe, { vars, withTest: true, explain: false, timeoutMs: this.timeoutMs });
      this.solvers.set(key, solver);
    }
    try {
      return solver.solve([exact(`ocaml.${fullOcamlVersion(platform.ocamlVersion)}`), exact(pkg), exact(revdep)]).ok;
    } catch (e) {
      if (e instanceof SolverTimeoutError) {
        this.gaveUp.push(`${revdep} with ${pkg} on ${platform.variant}`);
        return true;
      }
      if (e instanceof DependencyCycleError) return false;
      throw e;
    }
  }
}
