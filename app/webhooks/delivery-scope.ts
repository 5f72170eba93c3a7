import type { Services } from '../services.ts';
import type { WebhookResult } from './webhook-result.ts';

/**
 * What one delivery's handler needs besides probot's context: the services (with a logger that
 * names the delivery), and where it leaves its result. probot passes the payload object through
 * to `context.payload` untouched, so the payload itself is the key: no id can collide.
 */
export interface DeliveryScope {
  svc: Services;
  result?: WebhookResult;
}

const scopes = new WeakMap<object, DeliveryScope>();

export function enterScope(payload: object, scope: DeliveryScope): void {
  scopes.set(payload, scope);
}

export function scopeOf(payload: object): DeliveryScope {
  const scope = scopes.get(payload);
  // Only processEvent hands deliveries to probot; anything else is a wiring mistake.
  if (!scope) throw new Error('a delivery reached the cid app without going through processEvent');
  return scope;
}
