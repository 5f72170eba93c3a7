import { z } from 'zod';
import { PoolSchema, PrioritySchema } from './pools.ts';
import { BuildSpecSchema } from './build-spec.ts';
import { JobKindSchema } from './records.ts';
import { OpamRepoAnalysisSchema } from './opam-repo.ts';
import { JobPackagesSchema } from './packages.ts';

/** A job the analysis asks the control plane to create and queue. */
export const PlannedJobSchema = z.object({
  name: z.string().min(1),
  kind: JobKindSchema,
  pool: PoolSchema,
  priority: PrioritySchema.default('urgent'),
  spec: BuildSpecSchema,
  experimental: z.boolean().default(false),
  timeoutSeconds: z.number().int().positive().optional(),
  /** The root packages it builds and those it leaves out on its platform, with why (absent for opam-monorepo builds). */
  packages: JobPackagesSchema.optional(),
});
export type PlannedJob = z.infer<typeof PlannedJobSchema>;

/** What the (analysis) job yields; stored on its job record as `output`. */
export const AnalysisResultSchema = z.object({
  jobs: z.array(PlannedJobSchema),
  /** Platforms ruled out, with a reason people can read ("ocaml < 5.0 required"). */
  dropped: z.array(z.object({ variant: z.string(), reason: z.string() })).default([]),
  /** Facts found on the way: root packages, pins, .ocamlformat version, opam-monorepo mode. */
  info: z
    .object({
      roots: z.array(z.string()).default([]),
      pinned: z.array(z.string()).default([]),
      ocamlformatVersion: z.string().optional(),
      monorepo: z.boolean().default(false),
    })
    .default({ roots: [], pinned: [], monorepo: false }),
  /** Present when the commit is analysed as an opam repository (app/opam-repo). */
  opamRepo: OpamRepoAnalysisSchema.optional(),
});
export type AnalysisResult = z.infer<typeof AnalysisResultSchema>;
