// What an opam-repository PR's reports say (pure): statuses, the comment, counts.
export { commentBody, COMMENT_MARKER, MAX_COMMENT_CHARS } from './comment.ts';
export type { CommentInput } from './comment.ts';
export { opamCiStatus, linterStatus, OPAM_CI_CONTEXT, LINTER_CONTEXT } from './statuses.ts';
export type { CommitStatus } from './statuses.ts';
export { cellOf, countJobs, opamAnalysisOf, phaseOf, viewOf } from './summary.ts';
export type { Cell, Counts, OpamPipelineView, Phase } from './summary.ts';
