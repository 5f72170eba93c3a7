import { z } from 'zod';
import { PoolSchema } from './pools.ts';
import { JobIdSchema, JobSchema, JobStatusSchema } from './records.ts';
import { JobReportSchema } from './job-report.ts';

// The runner API: the only way a runner reaches the control plane's state (besides receive,
// delete and change-visibility on its own pool's queues). Every route is POST /api/runner/<name>
// with a JSON body, answered with JSON; errors are the usual {error: {code, message}} with
// 400/401/403/404/409/410. A runner authenticates with its own credential (from `register`);
// every job route also carries the lease `claim` gave it, checked against the stored lease.

export const RUNNER_API_PREFIX = '/api/runner';

export const RunnerIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, ".", "_" or "-" (≤ 63)');

/** register: Authorization: Bearer <the pool's bootstrap token>. */
export const RegisterRequestSchema = z.strictObject({
  /** Stable per host (CID_RUNNER_ID); a new process of the same runner registers again. */
  runnerId: RunnerIdSchema,
  pool: PoolSchema,
  host: z.string().min(1).max(255),
  version: z.string().min(1).max(64),
  concurrency: z.number().int().positive().max(256),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const RegisterAnswerSchema = z.object({
  runnerId: RunnerIdSchema,
  /** This process's registration; a credential names it, so a revoked or replaced one stops working. */
  registrationId: z.string().min(1),
  /** Authorization: Bearer <credential> on every other route. */
  credential: z.string().min(1),
  expiresAt: z.string(),
  /** Renew (POST renew) this long before expiresAt at the latest. */
  renewBeforeSeconds: z.number().int().positive(),
  /** The pool's own queues, the only ones the runner may receive from. */
  queues: z.object({ urgent: z.string().min(1), bulk: z.string().min(1) }),
  heartbeatSeconds: z.number().positive(),
  staleSeconds: z.number().positive(),
  /** Jobs an earlier process of this runner left running (heartbeat stale): handed back to the queue. */
  handedBack: z.array(JobIdSchema),
});
export type RegisterAnswer = z.infer<typeof RegisterAnswerSchema>;

export const RenewAnswerSchema = z.object({ credential: z.string().min(1), expiresAt: z.string() });
export type RenewAnswer = z.infer<typeof RenewAnswerSchema>;

/** A lease: bound to runner, job and attempt; the token is a secret only the holder knows. */
export const LeaseSchema = z.strictObject({
  jobId: JobIdSchema,
  attempt: z.number().int().positive(),
  token: z.string().min(16).max(256),
});
export type Lease = z.infer<typeof LeaseSchema>;

/** claim: the job a queue message names. */
export const ClaimRequestSchema = z.strictObject({
  jobId: JobIdSchema,
  generation: z.number().int().positive(),
});
export type ClaimRequest = z.infer<typeof ClaimRequestSchema>;

/** What a runner is told of its job: what it needs to run it, none of the GitHub bookkeeping. */
export const RunnerJobSchema = JobSchema.pick({
  id: true,
  pipelineId: true,
  repo: true,
  sha: true,
  name: true,
  kind: true,
  pool: true,
  spec: true,
  params: true,
  source: true,
  attempt: true,
  generation: true,
  timeoutSeconds: true,
  startedAt: true,
});
export type RunnerJob = z.infer<typeof RunnerJobSchema>;

/**
 * claim answers one of:
 * - `claimed`: run it; the lease expires unless heartbeats renew it.
 * - `busy`: another runner holds it with a live heartbeat; keep the message, retry after this.
 * - `drop`: unknown, final, of another pool, or a stale generation: delete the message.
 */
export const ClaimAnswerSchema = z.discriminatedUnion('result', [
  z.object({ result: z.literal('claimed'), lease: LeaseSchema, expiresAt: z.string(), job: RunnerJobSchema }),
  z.object({ result: z.literal('busy'), retryAfterSeconds: z.number().int().positive() }),
  z.object({ result: z.literal('drop'), why: z.string() }),
]);
export type ClaimAnswer = z.infer<typeof ClaimAnswerSchema>;

export const LeaseRequestSchema = z.strictObject({ lease: LeaseSchema });
export type LeaseRequest = z.infer<typeof LeaseRequestSchema>;

/** heartbeat: `stop` says why the job must stop now (cancelled, or the lease is gone). */
export const HeartbeatAnswerSchema = z.object({
  expiresAt: z.string(),
  stop: z.enum(['cancel', 'lost']).optional(),
});
export type HeartbeatAnswer = z.infer<typeof HeartbeatAnswerSchema>;

/** One log item's text: at most 64 KiB (UTF-8), as stored. */
export const MAX_LOG_CHUNK_BYTES = 64 * 1024;
/** Chunks per log request: about 1 MiB of body. */
export const MAX_LOG_CHUNKS_PER_REQUEST = 16;

/** A run's log id: each attempt of a job keeps its own log. */
export const logIdFor = (jobId: string, generation: number, attempt: number): string => `${jobId}#${generation}.${attempt}`;

/**
 * log: append chunks; idempotent by `seq` (chunk number from 0, no gaps): a chunk sent again with
 * the same text is accepted, with other text refused (409).
 */
export const LogAppendRequestSchema = z.strictObject({
  lease: LeaseSchema,
  chunks: z
    .array(
      z.strictObject({
        seq: z.number().int().nonnegative(),
        text: z.string().refine((t) => Buffer.byteLength(t) <= MAX_LOG_CHUNK_BYTES, `a chunk is at most ${MAX_LOG_CHUNK_BYTES} bytes`),
      }),
    )
    .min(1)
    .max(MAX_LOG_CHUNKS_PER_REQUEST),
});
export type LogAppendRequest = z.infer<typeof LogAppendRequestSchema>;
export const LogAppendAnswerSchema = z.object({ nextSeq: z.number().int().nonnegative() });


/** finish: the outcome; the control plane records it, then reports it (runners never write GitHub). */
export const FinishRequestSchema = z.strictObject({
  lease: LeaseSchema,
  status: JobStatusSchema.extract(['passed', 'failed', 'errored', 'cancelled']),
  reason: z.string().max(1000).optional(),
  /** The (analysis) job's result; validated by the control plane as AnalysisResultSchema. */
  output: z.unknown().optional(),
  report: JobReportSchema.default({ annotations: [] }),
});
export type FinishRequest = z.infer<typeof FinishRequestSchema>;
export const FinishAnswerSchema = z.object({ status: JobStatusSchema });

/** release: the runner is stopping; the job goes back to the queue for another runner. */
export const ReleaseAnswerSchema = z.object({ requeued: z.boolean() });

/** token: an installation token for the job's repository only, contents: read only. */
export const TokenAnswerSchema = z.object({ token: z.string().min(1), expiresAt: z.string(), apiUrl: z.string().url(), repo: z.string() });
export type TokenAnswer = z.infer<typeof TokenAnswerSchema>;

/** held: the jobs this runner holds now (to find containers of jobs it no longer holds). */
export const HeldAnswerSchema = z.object({ jobs: z.array(z.object({ jobId: JobIdSchema, attempt: z.number().int().nonnegative() })) });
export type HeldAnswer = z.infer<typeof HeldAnswerSchema>;

/** The routes, their bodies and answers: the server validates with these, the client parses with them. */
export const RUNNER_ROUTES = {
  register: { request: RegisterRequestSchema, answer: RegisterAnswerSchema },
  renew: { request: z.strictObject({}), answer: RenewAnswerSchema },
  claim: { request: ClaimRequestSchema, answer: ClaimAnswerSchema },
  heartbeat: { request: LeaseRequestSchema, answer: HeartbeatAnswerSchema },
  log: { request: LogAppendRequestSchema, answer: LogAppendAnswerSchema },
  finish: { request: FinishRequestSchema, answer: FinishAnswerSchema },
  release: { request: LeaseRequestSchema, answer: ReleaseAnswerSchema },
  token: { request: LeaseRequestSchema, answer: TokenAnswerSchema },
  held: { request: z.strictObject({}), answer: HeldAnswerSchema },
} as const;
export type RunnerRoute = keyof typeof RUNNER_ROUTES;
