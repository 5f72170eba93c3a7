import { z } from 'zod';

/**
 * A build in the spirit of OBuilder: a base image, then ordered steps. Every step's result is
 * cached by the runner under a hash of (parent key, step), so an unchanged prefix is reused.
 */
const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path inside the source');

export const CacheMountSchema = z.object({
  /** Volume name suffix, shared by every job of a pool (e.g. "opam-archives"). */
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
  /** Absolute path inside the container. */
  target: z.string().startsWith('/'),
});

export const RunStepSchema = z.object({
  op: z.literal('run'),
  shell: z.string().min(1),
  /** Network is off unless a step asks for it (fetching dependencies). */
  network: z.boolean().default(false),
  cache: z.array(CacheMountSchema).default([]),
});

export const CopyStepSchema = z.object({
  op: z.literal('copy'),
  /** Paths relative to the job's source tree; "." is the whole tree. */
  src: z.array(relPath).min(1),
  /** Destination directory (absolute, or relative to the current workdir). */
  dst: z.string().min(1),
  exclude: z.array(z.string()).default([]),
});

export const EnvStepSchema = z.object({
  op: z.literal('env'),
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  value: z.string(),
});

export const WorkdirStepSchema = z.object({ op: z.literal('workdir'), path: z.string().startsWith('/') });

export const UserStepSchema = z.object({
  op: z.literal('user'),
  uid: z.number().int().nonnegative(),
  gid: z.number().int().nonnegative(),
});

export const StepSchema = z.discriminatedUnion('op', [
  RunStepSchema,
  CopyStepSchema,
  EnvStepSchema,
  WorkdirStepSchema,
  UserStepSchema,
]);

export const BuildSpecSchema = z.object({
  /** Base image reference, optionally digest-pinned (name@sha256:…). */
  from: z.string().min(1),
  steps: z.array(StepSchema),
});

export type CacheMount = z.infer<typeof CacheMountSchema>;
export type Step = z.infer<typeof StepSchema>;
export type StepInput = z.input<typeof StepSchema>;
export type BuildSpec = z.infer<typeof BuildSpecSchema>;
export type BuildSpecInput = z.input<typeof BuildSpecSchema>;
