/** What a delivery answers: 202 once queued or when deliberately ignored. */
export interface WebhookResult {
  status: 200 | 202;
  body: { ok: true; action: string; [k: string]: unknown };
}

export const acted = (action: string, extra: Record<string, unknown> = {}): WebhookResult => ({ status: 200, body: { ok: true, action, ...extra } });
export const ignored = (why: string): WebhookResult => ({ status: 202, body: { ok: true, action: 'ignored', reason: why } });
export const queued = (deliveryId: string): WebhookResult => ({ status: 202, body: { ok: true, action: 'queued', delivery: deliveryId } });
