// The control plane's side of opam-repository PRs: creating their jobs, reporting on GitHub.
export { addOpamRepoJobs } from './add-opam-jobs.ts';
export { reportOpamPr, opamRepoPrReporter, syncComment, isOpamPr, isConfiguredOpamRepository, COMMENT_EDIT_INTERVAL_MS } from './report-pr.ts';
