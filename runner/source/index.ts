export * from './fetch-source.ts';
