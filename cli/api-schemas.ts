// The parts of the API's answers the CLI reads (unknown fields are ignored, so the API may grow).
import { z } from 'zod';

const Status = z.string();

/** What a job builds and the root packages it leaves out, with why. */
const Packages = z.object({
  built: z.array(z.string()),
  leftOut: z.array(z.object({ name: z.string(), reason: z.string() })),
  omitted: z.number().default(0),
});

export const JobSummary = z.object({
  name: z.string(),
  status: Status,
  experimental: z.boolean().default(false),
  reason: z.string().optional(),
  queuedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  packages: Packages.optional(),
  web: z.string().optional(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const PipelineSummary = z.object({
  sha: z.string(),
  status: Status,
  refs: z.array(z.string()),
  error: z.string().optional(),
  dropped: z.array(z.object({ variant: z.string(), reason: z.string() })).default([]),
  roots: z.array(z.string()).optional(),
  pinned: z.array(z.string()).optional(),
  web: z.string().optional(),
});

export const RepoAnswer = z.object({
  repo: z.object({ name: z.string() }),
  refs: z.array(z.object({ ref: z.string(), kind: z.string(), sha: z.string(), status: Status.nullable() })),
});

export const RefAnswer = z.object({ sha: z.string(), ref: z.string().nullable(), pipeline: PipelineSummary.nullable() });

export const CommitAnswer = z.object({ pipeline: PipelineSummary, jobs: z.array(JobSummary) });
export type CommitAnswer = z.infer<typeof CommitAnswer>;

export const JobAnswer = z.object({ job: JobSummary, run: z.object({ run: z.string() }).nullable() });
export type JobAnswer = z.infer<typeof JobAnswer>;

export const LogEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), job: z.string(), status: Status, run: z.string().nullable(), reason: z.string().optional() }),
  z.object({ type: z.literal('chunk'), seq: z.number(), text: z.string() }),
  z.object({ type: z.literal('end'), next: z.number(), done: z.boolean() }),
]);
export type LogEvent = z.infer<typeof LogEvent>;

export const ActionAnswer = z.object({ action: z.string() }).loose();
