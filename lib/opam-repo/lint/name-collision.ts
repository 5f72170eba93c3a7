// A new package whose name differs from an existing one only by case, `-` and `_` ("lru_cache",
// "LRU-cache", "lrucache" and "lru-cache" all collide) is warned about. opam-ci-check compares
// with every directory under packages/ of the merged tree, the PR's other new packages included.
// (It once also flagged small edit distances; that was dropped for its false positives.)
import { warning } from './release.ts';
import type { Finding, Release } from './release.ts';

const key = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

/** The package names of a repository, grouped by their collision key: built once per analysis. */
export class PackageNames {
  private readonly byKey = new Map<string, string[]>();

  constructor(names: Iterable<string>) {
    for (const n of new Set(names)) {
      const k = key(n);
      const group = this.byKey.get(k);
      if (group) group.push(n);
      else this.byKey.set(k, [n]);
    }
    // opam-ci-check walks the names sorted with OCaml's String.compare (by bytes).
    for (const group of this.byKey.values()) group.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Other names that collide with `name`. */
  collisions(name: string): string[] {
    return (this.byKey.get(key(name)) ?? []).filter((n) => n !== name);
  }
}

/** New packages only. */
export function nameCollisions(r: Release, names: PackageNames): Finding[] {
  return names.collisions(r.name).map((other) => warning(`Possible name collision with package '${other}'`));
}
