import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import type { FetchFunction, IncomingWebhookSendArguments } from '@slack/webhook';
import type { ResultMessage } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';
import type { SlackPayload } from './messages.ts';

// Delivering a Slack message never holds anything up: one attempt per results-queue message,
// with a short timeout; a failure sends the message back to the queue with a growing delay
// (DelaySeconds), and after the last retry it is dropped with a warning. A pipeline's state never
// waits for Slack, and a Slack outage never fails a pipeline.

export type SlackMessage = Extract<ResultMessage, { type: 'slack' }>;

/** Seconds before each retry; after the last one the message is dropped. */
export const SLACK_RETRY_DELAYS = [2, 10, 60] as const;
export const SLACK_TIMEOUT_MS = 3000;
/** SQS's longest delay. */
const MAX_DELAY_SECONDS = 900;

export type PostResult = { ok: true } | { ok: false; permanent: boolean; retryAfterSeconds?: number; error: string };

/** One POST to the incoming webhook. Client errors other than 429 are permanent (bad URL, revoked hook, bad payload). */
export async function postToSlack(url: string, payload: SlackPayload, timeoutMs = SLACK_TIMEOUT_MS): Promise<PostResult> {
  let retryAfter: string | null = null;
  const hook = new IncomingWebhook(url, {
    timeout: timeoutMs,
    // Slack's 429 answers say when to come back; the client does not expose headers otherwise.
    fetch: (async (u: string | URL, init?: RequestInit) => {
      const res = await fetch(u, init);
      retryAfter = res.headers.get('retry-after');
      return res;
    }) as unknown as FetchFunction,
  });
  try {
    await hook.send(payload as unknown as IncomingWebhookSendArguments);
    return { ok: true };
  } catch (err) {
    if (err instanceof IncomingWebhookHTTPError) {
      const seconds = retryAfter === null ? undefined : Number(retryAfter);
      return {
        ok: false,
        permanent: err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 429,
        ...(seconds !== undefined && Number.isFinite(seconds) ? { retryAfterSeconds: seconds } : {}),
        error: `HTTP ${err.statusCode}: ${err.body.slice(0, 200)}`,
      };
    }
    return { ok: false, permanent: false, error: (err as Error).message };
  }
}

/** Handles a `slack` results message: post once; on failure, retry later or drop. Never throws. */
export async function deliverSlack(svc: Services, msg: SlackMessage): Promise<void> {
  const log = svc.log.child({ slack: msg.event, pipelineId: msg.pipelineId, attempt: msg.attempt });
  const url = svc.config.slackWebhookUrl;
  if (!url) {
    log.warn('Slack message dropped: CID_SLACK_WEBHOOK_URL is not set');
    return;
  }
  const r = await postToSlack(url, msg.payload);
  if (r.ok) {
    log.info('Slack message sent');
    return;
  }
  const delay = SLACK_RETRY_DELAYS[msg.attempt];
  if (r.permanent || delay === undefined) {
    log.warn({ error: r.error }, 'Slack message dropped');
    return;
  }
  const seconds = Math.min(MAX_DELAY_SECONDS, Math.max(delay, r.retryAfterSeconds ?? 0));
  log.warn({ error: r.error, retryInSeconds: seconds }, 'Slack did not take the message; retrying later');
  try {
    await svc.queues.sendResult({ ...msg, attempt: msg.attempt + 1 }, seconds);
  } catch (err) {
    log.warn({ err }, 'Slack message dropped: could not queue the retry');
  }
}
