import { readFileSync } from 'node:fs';

/** This runner's version (package.json), sent with `register`. */
export const RUNNER_VERSION: string = (() => {
  try {
    const v = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' && v ? v.slice(0, 64) : 'unknown';
  } catch {
    return 'unknown';
  }
})();
