// The commit statuses opam-repo-ci sets, with its contexts and wording.
import { countJobs, phaseOf } from './summary.ts';
import type { OpamPipelineView } from './summary.ts';

export const OPAM_CI_CONTEXT = 'opam-ci';
export const LINTER_CONTEXT = 'opam-repo-ci (linter)';
/** GitHub cuts status descriptions at 140 characters. */
const MAX_DESCRIPTION = 140;

export interface CommitStatus {
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  description: string;
}

const cut = (s: string): string => (s.length <= MAX_DESCRIPTION ? s : `${s.slice(0, MAX_DESCRIPTION - 1)}…`);
const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "opam-ci": pending while anything runs (constant text, so it is set once), then the verdict. */
export function opamCiStatus(v: OpamPipelineView): CommitStatus {
  const s = (state: CommitStatus['state'], description: string): CommitStatus => ({ context: OPAM_CI_CONTEXT, state, description: cut(description) });
  switch (phaseOf(v)) {
    case 'analysing':
      return s('pending', 'Analysing the changes');
    case 'analysis-failed':
      return s('failure', `Failed - ${(v.analysis?.failure ?? v.analysisJob?.reason ?? v.pipeline.error ?? 'the analysis failed').split('\n')[0]}`);
    case 'running':
      return s('pending', 'Running');
    case 'done': {
      const c = countJobs(v.jobs);
      if (v.jobs.length === 0) return s('success', 'Passed - No build was necessary');
      if (c.failed > 0) return s('failure', `Failed - ${plural(c.failed, 'job')} failed, ${plural(c.skipped, 'job')} skipped, ${plural(c.passed, 'job')} passed`);
      if (c.passed === 0) return s('failure', 'Failed - Everything was skipped');
      return s('success', `Passed - ${plural(c.passed, 'job')} passed${c.skipped > 0 ? `, ${plural(c.skipped, 'job')} skipped` : ''}`);
    }
  }
}

/** "opam-repo-ci (linter)": the lint runs in the analysis, so it is known when the analysis ends. */
export function linterStatus(v: OpamPipelineView): CommitStatus {
  const s = (state: CommitStatus['state'], description: string): CommitStatus => ({ context: LINTER_CONTEXT, state, description: cut(description) });
  const phase = phaseOf(v);
  if (phase === 'analysing') return s('pending', 'Linting');
  const lint = v.analysis?.lint;
  // No lint at all: the analysis failed before it (a merge conflict).
  if (lint === undefined || (phase === 'analysis-failed' && v.analysis?.packages.length === 0 && lint.length === 0)) {
    return s('error', `Not linted - ${(v.analysis?.failure ?? v.analysisJob?.reason ?? 'the analysis failed').split('\n')[0]}`);
  }
  const errors = lint.filter((l) => l.level === 'error').length;
  const warnings = lint.length - errors;
  // As opam-repo-ci: opam-ci-check fails on any line, warnings included, so a branch protection
  // that requires this status holds back the same PRs it did.
  if (lint.length > 0) return s('failure', `Failed - ${[errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ')}`);
  return s('success', 'Passed');
}
