export * from './runner-config.ts';
