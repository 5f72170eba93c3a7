import { z } from 'zod';
import { JobStatusSchema } from './records.ts';

/** A job queue message carries ids only; the store is the truth. */
export const JobMessageSchema = z.object({
  jobId: z.string().min(1),
  /** The job's generation when queued; a message from before a rebuild is stale and ignored. */
  generation: z.number().int().positive(),
});
export type JobMessage = z.infer<typeof JobMessageSchema>;

/** Messages on the results queue, consumed by the control plane. */
export const ResultMessageSchema = z.discriminatedUnion('type', [
  /** A runner changed a job's state (started, finished); the control plane updates GitHub and the pipeline. */
  z.object({ type: z.literal('job-updated'), jobId: z.string().min(1), status: JobStatusSchema }),
  /** The control plane itself asks for a pipeline's GitHub checks to be brought up to date, off the request path. */
  z.object({ type: z.literal('pipeline-changed'), pipelineId: z.string().min(1) }),
  /** A Slack message to deliver (retried with backoff through DelaySeconds, then dropped). */
  z.object({
    type: z.literal('slack'),
    pipelineId: z.string().min(1),
    event: z.enum(['branch-failed', 'branch-recovered', 'opam-pr-finished']),
    /** An incoming-webhook body: fallback text and Block Kit blocks. */
    payload: z.object({ text: z.string().min(1), blocks: z.array(z.record(z.string(), z.unknown())).default([]) }),
    attempt: z.number().int().nonnegative().default(0),
  }),
]);
export type ResultMessage = z.infer<typeof ResultMessageSchema>;

/**
 * A verified webhook delivery on the events queue: only the fields cid reads (already validated
 * on the request path), so it stays far below SQS's message size limit.
 */
export const WebhookEventMessageSchema = z.object({
  type: z.literal('webhook'),
  deliveryId: z.string().min(1),
  event: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  receivedAt: z.string(),
});
export type WebhookEventMessage = z.infer<typeof WebhookEventMessageSchema>;
