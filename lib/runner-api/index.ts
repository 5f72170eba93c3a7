// The typed client of the runner API (lib/contract/runner-api.ts), used by runners.
export * from './runner-api-client.ts';
export * from './runner-api-error.ts';
