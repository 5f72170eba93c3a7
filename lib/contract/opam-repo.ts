import { z } from 'zod';

// What the (analysis) job of an opam-repository pull request reports besides the usual result:
// the changed packages, lint messages and a compact plan. Build specs are not carried here: a
// PR touching dune has thousands of reverse dependencies, and one spec per job would exceed
// DynamoDB's 400 KB item limit; the control plane expands the plan (lib/opam-repo/expand-plan.ts).

export const CHANGE_KINDS = [
  'new-package',
  'new-release',
  'significantly-changed',
  'insignificantly-changed',
  'unavailable',
  'deleted',
] as const;
export const ChangeKindSchema = z.enum(CHANGE_KINDS);
export type ChangeKind = z.infer<typeof ChangeKindSchema>;

export const OPAM_JOB_TYPES = ['build', 'tests', 'lower-bounds', 'revdep'] as const;
export const OpamJobTypeSchema = z.enum(OPAM_JOB_TYPES);
export type OpamJobType = z.infer<typeof OpamJobTypeSchema>;

export const ChangedPackageSchema = z.object({
  /** "name.version" */
  pkg: z.string().min(3),
  change: ChangeKindSchema,
  hasTests: z.boolean().default(false),
});
export type ChangedPackage = z.infer<typeof ChangedPackageSchema>;

export const LintMessageSchema = z.object({
  level: z.enum(['error', 'warning']),
  pkg: z.string(),
  /** The whole line as opam-repo-ci prints it: "Error in pkg.ver: …". */
  message: z.string(),
});
export type LintMessage = z.infer<typeof LintMessageSchema>;

/** One job of a changed package on one platform (revdeps are grouped below). */
export const OpamJobPlanSchema = z.object({
  name: z.string().min(1),
  /** The platform's variant name in the catalogue. */
  variant: z.string().min(1),
  pkg: z.string().min(3),
  type: OpamJobTypeSchema,
  /** Failures tolerated (x-ci-accept-failures names the distro). */
  experimental: z.boolean().default(false),
  /** Why it is not built here; the job is recorded as skipped. */
  skip: z.string().optional(),
});
export type OpamJobPlan = z.infer<typeof OpamJobPlanSchema>;

/** The reverse dependencies of one changed package that get jobs, per platform. */
export const RevdepsPlanSchema = z.object({
  pkg: z.string().min(3),
  /** How many revdeps (releases) were found, before choosing which to build. */
  total: z.number().int().nonnegative(),
  /** How many of them were left out by the cap (CID_OPAM_MAX_REVDEPS). */
  capped: z.number().int().nonnegative().default(0),
  /** Per platform variant, the "name.version" of each revdep built there. */
  builds: z.array(z.object({ variant: z.string().min(1), packages: z.array(z.string()) })),
});
export type RevdepsPlan = z.infer<typeof RevdepsPlanSchema>;

export const OpamRepoAnalysisSchema = z.object({
  /** The base commit the head was merged into; absent for a branch push (nothing is built). */
  baseSha: z.string().optional(),
  /** The merged tree, for people who want to look. */
  mergedTree: z.string().optional(),
  packages: z.array(ChangedPackageSchema).default([]),
  lint: z.array(LintMessageSchema).default([]),
  jobs: z.array(OpamJobPlanSchema).default([]),
  revdeps: z.array(RevdepsPlanSchema).default([]),
  /** Why the analysis failed (merge conflict, unexpected path), when it did. */
  failure: z.string().optional(),
});
export type OpamRepoAnalysis = z.infer<typeof OpamRepoAnalysisSchema>;
