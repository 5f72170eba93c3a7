export * from './runner-metrics.ts';
export * from './metrics-server.ts';
