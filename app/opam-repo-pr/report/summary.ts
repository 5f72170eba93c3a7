// Where an opam-repository PR's pipeline stands, counted as opam-repo-ci counts it.
import { isFinal, OpamRepoAnalysisSchema } from '../../../lib/contract/index.ts';
import type { Job, OpamRepoAnalysis, Pipeline } from '../../../lib/contract/index.ts';
import { ANALYSIS_JOB } from '../../pipelines/index.ts';

export type Cell = 'passed' | 'failed' | 'accepted' | 'pending' | 'skipped';

/** How one job shows: experimental failures are accepted (x-ci-accept-failures). */
export function cellOf(job: Pick<Job, 'status' | 'experimental'>): Cell {
  switch (job.status) {
    case 'passed':
      return 'passed';
    case 'skipped':
      return 'skipped';
    case 'queued':
    case 'running':
      return 'pending';
    case 'failed':
    case 'errored':
    case 'cancelled':
      return job.experimental ? 'accepted' : 'failed';
  }
}

export interface Counts {
  passed: number;
  failed: number;
  /** Skipped, plus failures the package accepts. */
  skipped: number;
  pending: number;
}

export function countJobs(jobs: readonly Pick<Job, 'status' | 'experimental'>[]): Counts {
  const c: Counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
  for (const j of jobs) {
    const cell = cellOf(j);
    if (cell === 'accepted') c.skipped++;
    else c[cell]++;
  }
  return c;
}

export interface OpamPipelineView {
  pipeline: Pipeline;
  analysisJob: Job | undefined;
  /** The analysis' report; undefined while it runs (or if it is not an opam-repository one). */
  analysis: OpamRepoAnalysis | undefined;
  /** Every job but the analysis. */
  jobs: Job[];
}

/** The analysis job's opam-repository report, passed or failed. */
export function opamAnalysisOf(jobs: readonly Job[]): { job: Job | undefined; analysis: OpamRepoAnalysis | undefined } {
  const job = jobs.find((j) => j.name === ANALYSIS_JOB);
  // Runs on every change of every pipeline: look before parsing (other analyses carry big specs).
  const raw = job?.output !== null && typeof job?.output === 'object' ? (job.output as { opamRepo?: unknown }).opamRepo : undefined;
  if (raw === undefined) return { job, analysis: undefined };
  const parsed = OpamRepoAnalysisSchema.safeParse(raw);
  return { job, analysis: parsed.success ? parsed.data : undefined };
}

export function viewOf(pipeline: Pipeline, jobs: readonly Job[]): OpamPipelineView {
  const { job, analysis } = opamAnalysisOf(jobs);
  return { pipeline, analysisJob: job, analysis, jobs: jobs.filter((j) => j.name !== ANALYSIS_JOB) };
}

export type Phase = 'analysing' | 'analysis-failed' | 'running' | 'done';

export function phaseOf(v: OpamPipelineView): Phase {
  const a = v.analysisJob;
  if (a === undefined || !isFinal(a.status)) return 'analysing';
  if (a.status !== 'passed') return 'analysis-failed';
  // Jobs are created right after the analysis passes; until then the plan says what is coming.
  const planned = (v.analysis?.jobs.length ?? 0) + (v.analysis?.revdeps.reduce((n, r) => n + r.builds.reduce((m, b) => m + b.packages.length, 0), 0) ?? 0);
  if (v.jobs.length < planned) return 'running';
  return v.jobs.some((j) => !isFinal(j.status)) ? 'running' : 'done';
}
