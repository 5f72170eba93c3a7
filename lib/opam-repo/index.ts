// opam-repository pull requests (opam-repo-ci's job): changed releases, lint, revdeps, the plan
// of jobs and its expansion into build specs, and the reports on the PR.
export { changedPackages, unexpectedPath } from './changed-paths.ts';
export type { ChangedPaths, TouchedPackage } from './changed-paths.ts';
export { classifyChange, BUILT_KINDS, REVDEP_KINDS } from './classify.ts';
export type { ClassifyInput, Classified } from './classify.ts';
export { effectiveKey, hasTests, isUnavailable, parseOpam } from './opam-file.ts';
export { lintRelease, PackageNames, DEFAULT_LINT_CHECKS, RESTRICTED_PREFIXES } from './lint/index.ts';
export type { LintInput, LintCheckKind } from './lint/index.ts';
export { RevdepsIndex } from './revdeps.ts';
export type { Revdep, RevdepsQuery } from './revdeps.ts';
export { opamRepoMatrix, compilers, revdepPlatforms, jobName, parseJobName } from './matrix.ts';
export type { MatrixGroup, MatrixPlatform, OpamRepoMatrix, ParsedJobName } from './matrix.ts';
export { planJobs, DEFAULT_MAX_REVDEPS } from './plan.ts';
export type { PlanInput, OpamRepoPlan } from './plan.ts';
export { opamRepoJobSpec, installScript, repositorySteps, LOWER_BOUNDS_CRITERIA, REPO_DIR } from './specs.ts';
export type { OpamRepoJob } from './specs.ts';
export { analyzeChanges } from './analyze-changes.ts';
export type { AnalyzeChangesInput, AnalyzeChangesResult, TreeView } from './analyze-changes.ts';
export { platformsOf, looksLikeOpamRepository } from './catalogue.ts';
export { expandPlan, OPAM_JOB_TIMEOUT_SECONDS } from './expand-plan.ts';
export type { ExpandedPlan, SkippedJob } from './expand-plan.ts';
