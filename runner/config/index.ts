export * from './runner-config.ts';
export { parseByteSize, formatBytes } from './byte-size.ts';
