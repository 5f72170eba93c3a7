export * from './consume-events.ts';
