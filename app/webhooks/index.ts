export * from './handle-webhook.ts';
export * from './process-event.ts';
export * from './verify-delivery.ts';
export * from './webhook-result.ts';
