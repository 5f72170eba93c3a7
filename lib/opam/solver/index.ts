// A pure TypeScript opam solver: see README.md beside this file.
export { Universe } from './universe.ts';
export type { Release } from './universe.ts';
export { Solver } from './solve.ts';
export type { Origin, Selected, SolveResult, SolverOptions } from './solve.ts';
export { parsePackageRequest, isValidPackageName } from './request.ts';
export type { PackageRequest } from './request.ts';
export { reverseDependencies } from './revdeps.ts';
export type { RevdepsOptions } from './revdeps.ts';
export { BadPackageRequestError, DependencyCycleError, SolverTimeoutError, UnknownPackageError } from './errors.ts';
