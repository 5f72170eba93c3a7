import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { WebhookEventMessage } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';
import { HANDLERS } from './handlers/index.ts';
import { ignored, type WebhookResult } from './webhook-result.ts';
import { enterScope, type DeliveryScope } from './delivery-scope.ts';
import { receiverFor } from './receiver.ts';

/** probot gathers its listeners' errors in an AggregateError: one failure is rethrown as itself. */
function unwrap(err: unknown): unknown {
  return err instanceof AggregateError && err.errors.length === 1 ? err.errors[0] : err;
}

/**
 * Acts on a queued delivery by handing it to probot (`probot.receive`), which runs the cid app's
 * listeners. Throws on a store or queue failure, so SQS redelivers it; handlers are idempotent,
 * and those that are not by nature are guarded by the delivery record.
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
  const probot = await receiverFor(svc);
  if (entry.dedupe && !(await svc.store.deliveries.begin(msg.deliveryId, msg.event))) return ignored('delivery already handled');
  // A fresh object per call: the key under which the listener finds this delivery's scope.
  const payload = { ...(parsed.data as Record<string, unknown>) };
  const scope: DeliveryScope = { svc: { ...svc, log } };
  enterScope(payload, scope);
  try {
    await probot.receive({ id: msg.deliveryId, name: msg.event, payload } as unknown as EmitterWebhookEvent);
  } catch (err) {
    if (entry.dedupe) await svc.store.deliveries.forget(msg.deliveryId).catch(() => undefined);
    throw unwrap(err);
  }
  const action = typeof payload.action === 'string' ? `.${payload.action}` : '';
  const result = scope.result ?? ignored(`${msg.event}${action} has no listener in the cid app`);
  // An ignored delivery says why (a skip marker, an inactive repository…).
  const { action: did, reason } = result.body;
  log.info({ action: did, ...(reason !== undefined ? { reason } : {}) }, 'webhook handled');
  return result;
}
