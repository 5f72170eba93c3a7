import type { WebhookEventMessage } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';
import { HANDLERS } from './handlers/index.ts';
import { ignored, type WebhookResult } from './webhook-result.ts';

/**
 * Acts on a queued delivery. Throws on a store or queue failure, so SQS redelivers it; handlers
 * are idempotent, and those that are not by nature are guarded by the delivery record.
 */
export async function processEvent(svc: Services, msg: WebhookEventMessage): Promise<WebhookResult> {
  // Handlers get this child logger, so every line they log names the delivery and repository.
  const repo = (msg.payload.repository as { full_name?: string } | undefined)?.full_name;
  const log = svc.log.child({ delivery: msg.deliveryId, event: msg.event, ...(repo ? { repo } : {}) });
  const entry = HANDLERS[msg.event];
  if (!entry) return ignored(`event ${msg.event} is not used by cid`);
  const parsed = entry.schema.safeParse(msg.payload);
  if (!parsed.success) {
    log.error({ issues: parsed.error.issues }, 'queued event no longer matches its schema; dropped');
    return ignored('invalid payload');
  }
  if (entry.dedupe && !(await svc.store.deliveries.begin(msg.deliveryId, msg.event))) return ignored('delivery already handled');
  try {
    const result = await entry.handle({ ...svc, log }, parsed.data);
    // An ignored delivery says why (a skip marker, an inactive repository…).
    const { action, reason } = result.body;
    log.info({ action, ...(reason !== undefined ? { reason } : {}) }, 'webhook handled');
    return result;
  } catch (err) {
    if (entry.dedupe) await svc.store.deliveries.forget(msg.deliveryId).catch(() => undefined);
    throw err;
  }
}
