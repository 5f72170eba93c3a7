export * from './cid-error.ts';
export * from './map-error.ts';
