import { z } from 'zod';
import { PoolSchema, PrioritySchema } from './pools.ts';
import { BuildSpecSchema } from './build-spec.ts';
import { RepoNameSchema } from './repo-name.ts';
import { JobPackagesSchema, PackageListSchema } from './packages.ts';
import { JobReportSchema } from './job-report.ts';


/** A job's id ("j" and 24 hex digits from jobIdFor; tests and older records use other short ids). */
export const JobIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'a job id: printable ASCII without spaces');

export const ShaSchema = z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character hexadecimal commit sha');

export const RepositorySchema = z.object({
  name: RepoNameSchema,
  description: z.string().default(''),
  kind: z.literal('git').default('git'),
  url: z.string().url(),
  installationId: z.number().int().positive().optional(),
  private: z.boolean().default(false),
  defaultBranch: z.string().default('main'),
  active: z.boolean().default(true),
  /** Opted in to Slack messages (default-branch failures and recoveries, opam-repository PRs). Absent: off. */
  slack: z.boolean().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Repository = z.infer<typeof RepositorySchema>;

export const JOB_STATUSES = ['queued', 'running', 'passed', 'failed', 'cancelled', 'errored', 'skipped'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const FINAL_STATUSES: readonly JobStatus[] = ['passed', 'failed', 'cancelled', 'errored', 'skipped'];
export const isFinal = (s: JobStatus): boolean => FINAL_STATUSES.includes(s);

export const JobKindSchema = z.enum(['analysis', 'build', 'lint', 'opam-repo']);
export type JobKind = z.infer<typeof JobKindSchema>;

/** Where a job's source comes from: a GitHub commit (fetched with an installation token) or a local path. */
export const SourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('github'),
    repo: RepoNameSchema,
    sha: ShaSchema,
    installationId: z.number().int().positive().optional(),
    cloneUrl: z.string().url(),
    /** What to fetch when the commit is not on a branch of the repository ("refs/pull/12/head"). */
    fetchRef: z.string().optional(),
    /** Jobs from fork PRs never receive secrets. */
    fromFork: z.boolean().default(false),
    /** A pull request's base commit: opam-repository jobs build the head merged into it. */
    baseSha: ShaSchema.optional(),
  }),
  z.object({ kind: z.literal('local'), path: z.string().startsWith('/'), sha: ShaSchema, baseSha: ShaSchema.optional() }),
]);
export type Source = z.infer<typeof SourceSchema>;

/** What the (analysis) job needs besides the source: the operator's catalogue and the opam-repository commit. */
export const AnalysisParamsSchema = z.object({
  platforms: z.union([
    z.object({ preset: z.string().min(1) }),
    /** A catalogue file's name and text, parsed by the runner as the control plane did at start. */
    z.object({ file: z.string().min(1), text: z.string().max(100_000) }),
  ]),
  opamRepoCommit: z.string().min(1),
  /** The repository is configured as an opam repository (CID_OPAM_REPOSITORIES); else it is detected from its files. */
  opamRepository: z.boolean().optional(),
  /** At most this many reverse dependencies get jobs per opam-repository PR (CID_OPAM_MAX_REVDEPS). */
  maxRevdeps: z.number().int().nonnegative().optional(),
});
export type AnalysisParams = z.infer<typeof AnalysisParamsSchema>;

export const JobSchema = z.object({
  id: z.string().min(1),
  pipelineId: z.string().min(1),
  repo: RepoNameSchema,
  sha: ShaSchema,
  /** Variant name as ocaml-ci spells it: "(analysis)", "debian-12-5.3_opam-2.3", "(lint-fmt)". */
  name: z.string().min(1),
  kind: JobKindSchema,
  pool: PoolSchema,
  priority: PrioritySchema,
  spec: BuildSpecSchema.optional(),
  /** For the (analysis) job. */
  params: AnalysisParamsSchema.optional(),
  source: SourceSchema,
  /** Experimental jobs never fail the commit. */
  experimental: z.boolean().default(false),
  /** Runs started so far; a runner's claim adds one (a redelivery after a killed runner too). */
  attempt: z.number().int().nonnegative(),
  /** Bumped by every rebuild, so queue messages from before a rebuild are recognised as stale. */
  generation: z.number().int().positive().default(1),
  status: JobStatusSchema,
  /** One line for people: why it failed, was skipped or errored. */
  reason: z.string().optional(),
  timeoutSeconds: z.number().int().positive().default(3600),
  cancelRequested: z.boolean().default(false),
  runnerId: z.string().optional(),
  /** sha256 (hex) of the current lease's token (runner API); never shown outside the control plane. */
  leaseHash: z.string().optional(),
  queuedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  heartbeatAt: z.string().optional(),
  /** The root packages it builds and those it leaves out, with why (from the analysis). */
  packages: JobPackagesSchema.optional(),
  /** A job's structured output (the analysis result); stays well under DynamoDB's 400 KB item limit. */
  output: z.unknown().optional(),
  /** What the runner reported with its finish (annotations, cache counts), shown by the control plane. */
  report: JobReportSchema.optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const PipelineStatusSchema = z.enum(['pending', 'running', 'passed', 'failed', 'cancelled', 'errored']);
export type PipelineStatus = z.infer<typeof PipelineStatusSchema>;

export const PipelineSchema = z.object({
  /** "owner/repo@sha": one pipeline per commit of a repository. */
  id: z.string(),
  repo: RepoNameSchema,
  sha: ShaSchema,
  /** Refs that point at this commit now: "refs/heads/main", "pull/12". */
  refs: z.array(z.string()),
  installationId: z.number().int().positive().optional(),
  status: PipelineStatusSchema,
  /** Why analysis or the pipeline failed, shown in check runs and the UI. */
  error: z.string().optional(),
  /**
   * The passed analysis's plan has been turned into jobs. Until then the pipeline is running even
   * though all its jobs (the analysis alone) have finished: its build jobs are not there yet.
   */
  planned: z.boolean().optional(),
  /** Platforms the analysis dropped, with the reason. */
  dropped: z.array(z.object({ variant: z.string(), reason: z.string() })).default([]),
  /** The analysis's root packages and pinned packages (names; at most MAX_LISTED_PACKAGES each). */
  roots: PackageListSchema.optional(),
  pinned: PackageListSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Pipeline = z.infer<typeof PipelineSchema>;

export const LogChunkSchema = z.object({
  jobId: z.string(),
  seq: z.number().int().nonnegative(),
  /** Timestamped lines; at most 64 KiB per chunk. */
  text: z.string(),
  at: z.string(),
});
export type LogChunk = z.infer<typeof LogChunkSchema>;

export const pipelineId = (repo: string, sha: string): string => `${repo}@${sha}`;
