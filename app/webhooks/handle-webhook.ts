import type { Services } from '../services.ts';
import { NotConfiguredError, UnprocessableError } from '../../lib/errors/index.ts';
import { verifyDelivery } from './verify-delivery.ts';
import { ignored, queued, type WebhookResult } from './webhook-result.ts';
import { HANDLERS } from './handlers/index.ts';
import { z } from 'zod';

export interface WebhookRequest {
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

/**
 * The webhook endpoint: verify the signature, check the fields cid needs, put the delivery on
 * the events queue, answer. GitHub allows 10 s and never redelivers by itself, so the request
 * path waits on nothing but SQS (durable, and batched with concurrent deliveries); pipelines,
 * jobs and check runs are made by the events consumer, which SQS retries if the store is down.
 */
export async function handleWebhook(svc: Services, req: WebhookRequest): Promise<WebhookResult> {
  const gh = svc.config.github;
  if (!gh) throw new NotConfiguredError(`the GitHub App is not configured: set ${svc.config.githubMissing.join(', ')}`);
  const delivery = await verifyDelivery(gh.webhookSecret, req.header, req.body, svc.config.maxWebhookBytes);
  const entry = HANDLERS[delivery.event];
  if (!entry) return ignored(`event ${delivery.event} is not used by cid`);
  const parsed = entry.schema.safeParse(delivery.payload);
  if (!parsed.success) {
    throw new UnprocessableError(`${delivery.event} payload lacks what cid needs: ${z.prettifyError(parsed.error)}`, parsed.error.issues);
  }
  const why = entry.ignore?.(parsed.data);
  if (why) {
    svc.log.info({ delivery: delivery.id, event: delivery.event, reason: why }, 'webhook ignored');
    return ignored(why);
  }
  await svc.queues.sendEvent({
    type: 'webhook',
    deliveryId: delivery.id,
    event: delivery.event,
    payload: parsed.data as Record<string, unknown>,
    receivedAt: new Date().toISOString(),
  });
  return queued(delivery.id);
}
