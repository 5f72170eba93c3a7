// `cid local`: HEAD of a local repository through the whole pipeline, on this machine.
export { runLocal } from './run-local.ts';
export type { LocalDeps, LocalOptions } from './run-local.ts';
export { readGitHead, localRepoName } from './git-head.ts';
export type { GitHead } from './git-head.ts';
export { planPools, canEmulate, skipReason } from './local-pools.ts';
export { localReport, localExitCode, summaryLines } from './local-report.ts';
export type { LocalReport, LocalJobReport } from './local-report.ts';
