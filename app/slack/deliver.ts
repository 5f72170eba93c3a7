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

/**
 * One POST to the incoming webhook (a JSON body, as Slack's own client sends it). Client errors
 * other than 429 are permanent (bad URL, revoked hook, bad payload); a 429's `retry-after` says
 * when to come back. Redirects are refused, as Slack's client does: a hook never moves.
 */
export async function postToSlack(url: string, payload: SlackPayload, timeoutMs = SLACK_TIMEOUT_MS): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'cid' },
      body: JSON.stringify(payload),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    if (res.ok) return { ok: true };
    const seconds = Number(res.headers.get('retry-after') ?? NaN);
    return {
      ok: false,
      permanent: res.status >= 400 && res.status < 500 && res.status !== 429,
      ...(Number.isFinite(seconds) ? { retryAfterSeconds: seconds } : {}),
      error: `HTTP ${res.status}: ${body.slice(0, 200)}`,
    };
  } catch (err) {
    const e = err as Error;
    return { ok: false, permanent: false, error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message };
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
