// Shared by the opam-repo tests: the mini repository under test/fixtures/opam-repo/mini and
// in-memory trees.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TreeView } from '../../../lib/opam-repo/index.ts';

export const MINI = fileURLToPath(new URL('../../fixtures/opam-repo/mini', import.meta.url));

/** Every file of a directory, relative path → contents. */
export function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return out;
}

/** The releases of a tree: "name.version" and opam text. */
export function releasesOf(files: ReadonlyMap<string, string>): Array<{ pkg: string; text: string }> {
  return [...files].flatMap(([path, text]) => {
    const m = /^packages\/[^/]+\/([^/]+)\/opam$/.exec(path);
    return m?.[1] ? [{ pkg: m[1], text }] : [];
  });
}

/** A TreeView over an in-memory map; `modes` overrides the default 100644. */
export function memoryTree(files: ReadonlyMap<string, string>, modes: Record<string, string> = {}): TreeView & { reads: number } {
  const view = {
    reads: 0,
    files: new Map([...files.keys()].map((p) => [p, modes[p] ?? '100644'])),
    async read(paths: readonly string[]) {
      view.reads += paths.length;
      return new Map(paths.flatMap((p) => (files.has(p) ? [[p, files.get(p) as string] as const] : [])));
    },
  };
  return view;
}
