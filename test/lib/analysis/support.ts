// Helpers for the analysis tests: repositories held in memory, the fixture read from disk, and
// golden files with an update mode.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import assert from 'node:assert/strict';
import { platformsFromEntries } from '../../../lib/analysis/index.ts';
import type { FileReader, Platform, PlatformEntry } from '../../../lib/analysis/index.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const FIXTURES = join(ROOT, 'test/fixtures');
export const GOLDEN_DIR = join(FIXTURES, 'analysis/golden');
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export interface MemoryRepo {
  files: string[];
  readFile: FileReader;
  /** Paths read so far, to check what was (not) read. */
  reads: string[];
}

export function memoryRepo(contents: Record<string, string>): MemoryRepo {
  const reads: string[] = [];
  return {
    files: Object.keys(contents),
    reads,
    readFile: async (path) => {
      reads.push(path);
      const text = contents[path];
      if (text === undefined) throw new Error(`no such file in the test repository: ${path}`);
      return text;
    },
  };
}

/** A directory on disk as a repository (paths relative to it). */
export function diskRepo(dir: string): MemoryRepo {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [relative(dir, join(d, n))]));
  const contents: Record<string, string> = {};
  for (const f of walk(dir).sort()) contents[f] = readFileSync(join(dir, f), 'utf8');
  return memoryRepo(contents);
}

/** A simple opam file: `depends` and `available` given as opam text. */
export function opamFile(opts: { depends?: string; available?: string; extra?: string } = {}): string {
  const lines = ['opam-version: "2.0"', 'synopsis: "test package"'];
  if (opts.depends !== undefined) lines.push(`depends: [ ${opts.depends} ]`);
  if (opts.available !== undefined) lines.push(`available: ${opts.available}`);
  if (opts.extra !== undefined) lines.push(opts.extra);
  return `${lines.join('\n')}\n`;
}

export const platforms = (...entries: PlatformEntry[]): Platform[] => platformsFromEntries(entries, 'test');

/**
 * Compares `actual` with the golden file `name` exactly; with UPDATE_GOLDEN=1 writes it instead.
 */
export function assertGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    assert.fail(`golden file ${relative(ROOT, path)} is missing; run with UPDATE_GOLDEN=1 to create it`);
  }
  assert.equal(actual, expected, `${name} differs from its golden file; if the change is intended, re-run with UPDATE_GOLDEN=1`);
}
