import { z } from 'zod';
import { RepoNameSchema } from '../../lib/contract/index.ts';

/** Only the fields cid reads; everything else in GitHub's payloads is ignored. */
export const RepositoryPayload = z.object({
  // GitHub's own rule: a name it would refuse is a 422 here, never queued to fail in the consumer.
  full_name: RepoNameSchema,
  private: z.boolean(),
  description: z.string().nullable().optional(),
  html_url: z.string().url(),
  clone_url: z.string().url(),
  default_branch: z.string().optional(),
});

const Installation = z.object({ id: z.number().int().positive() });

/** Without an installation cid has no token to fetch the source or report checks with. */
export const NO_INSTALLATION = 'no installation in the payload: cid builds only repositories where its GitHub App is installed';

/** Longer commit messages keep only their start and end: a queued delivery stays far below SQS's limit. */
const MESSAGE_MAX = 16 * 1024;
const MESSAGE_KEPT = 8000;
const CommitMessage = z
  .string()
  // Skip markers are read from what is kept: the subject and the last paragraph (trailers) stay.
  .transform((m) => (m.length <= MESSAGE_MAX ? m : `${m.slice(0, MESSAGE_KEPT)}\n\n…\n\n${m.slice(-MESSAGE_KEPT)}`));

/** A ref is part of a DynamoDB key (at most 1,024 bytes); git's own names are far shorter. */
const Ref = z
  .string()
  .min(1)
  .max(512)
  .refine((r) => Buffer.byteLength(r) <= 1000, 'a ref of at most 1,000 bytes');

export const PushPayload = z.object({
  ref: Ref,
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().default(false),
  /** Null when the push made no commit (a deleted branch). Its message may ask not to build. */
  head_commit: z.object({ message: CommitMessage }).nullable().optional(),
  repository: RepositoryPayload,
  installation: Installation.optional(),
});

export const PullRequestPayload = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    head: z.object({
      sha: z.string().regex(/^[0-9a-f]{40}$/),
      ref: z.string(),
      repo: z.object({ full_name: z.string().max(200) }).nullable(),
    }),
    base: z.object({ ref: z.string(), sha: z.string().regex(/^[0-9a-f]{40}$/).optional(), repo: z.object({ full_name: z.string().max(200) }) }),
  }),
  repository: RepositoryPayload,
  installation: Installation.optional(),
});

const CheckApp = z.object({ id: z.number().int() }).nullable().optional();

export const CheckSuitePayload = z.object({
  action: z.string(),
  check_suite: z.object({ head_sha: z.string().regex(/^[0-9a-f]{40}$/), app: CheckApp }),
  repository: RepositoryPayload,
  installation: Installation.optional(),
});

export const CheckRunPayload = z.object({
  action: z.string(),
  check_run: z.object({
    id: z.number().int(),
    name: z.string(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/),
    external_id: z.string().nullable().optional(),
    app: CheckApp,
  }),
  requested_action: z.object({ identifier: z.string() }).nullable().optional(),
  repository: RepositoryPayload,
  installation: Installation.optional(),
});

const InstallationRepo = z.object({ full_name: RepoNameSchema, private: z.boolean().default(false) });

export const InstallationPayload = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int().positive() }),
  repositories: z.array(InstallationRepo).nullable().optional(),
});

export const InstallationRepositoriesPayload = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int().positive() }),
  repositories_added: z.array(InstallationRepo).default([]),
  repositories_removed: z.array(InstallationRepo).default([]),
});

export type RepositoryPayload = z.infer<typeof RepositoryPayload>;
