// Typed solver errors; each carries its HTTP status and CLI exit code (app/errors).
import { BadRequestError, CidError, NotFoundError } from '../../errors/index.ts';

/** The search ran past its time or step budget. */
export class SolverTimeoutError extends CidError {
  constructor(readonly elapsedMs: number, readonly steps: number) {
    super('solver_timeout', `solver gave up after ${elapsedMs} ms (${steps} steps); raise the limit or narrow the request`, {
      status: 503,
      exitCode: 9,
    });
  }
}

/** A request names a package or version the repository does not have. */
export class UnknownPackageError extends NotFoundError {}

/** A request that is not `name`, `name.version` or `name<op>version`. */
export class BadPackageRequestError extends BadRequestError {}

/** The selection needs packages that depend on each other in a cycle: opam cannot order them. */
export class DependencyCycleError extends CidError {
  constructor(readonly cycle: string[]) {
    super('dependency_cycle', `dependency cycle: ${cycle.join(' → ')}; one of these dependencies must be marked {post} or removed`, {
      status: 422,
      exitCode: 2,
      details: { cycle },
    });
  }
}
