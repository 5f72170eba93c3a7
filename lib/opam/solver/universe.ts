// The packages of an opam repository, read once and reused by every solve: each release's
// dependency fields, availability and flags, as opam loads them into its universe.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions } from '../version-compare.ts';
import { OpamFieldError, OpamParseError } from '../errors.ts';
import { parseOpamFile } from '../parser.ts';
import { readField, readUrl } from '../fields.ts';
import type { FieldType, KnownField } from '../fields.ts';
import type { OpamFile } from '../ast.ts';
import type { Filter } from '../filter.ts';
import type { PackageFormula } from '../package-formula.ts';
import { EMPTY } from '../formula.ts';

export interface Release {
  name: string;
  version: string;
  depends: PackageFormula;
  depopts: PackageFormula;
  conflicts: PackageFormula;
  conflictClass: string[];
  available: Filter;
  flags: string[];
  /** opam's is_dev_package: fetched from a VCS without a checksum, so `dev` is true for it. */
  dev: boolean;
}

export class Universe {
  /** Name → releases, newest first. */
  readonly byName = new Map<string, Release[]>();
  /** Files opam would skip too (a syntax error): "name.version: reason". */
  readonly unreadable: string[] = [];

  /** From `{ "name.version": opam file text }` pairs. */
  static fromTexts(entries: Iterable<[string, string]>): Universe {
    const u = new Universe();
    for (const [pkg, text] of entries) u.add(pkg, text);
    u.sort();
    return u;
  }

  /** From a local opam repository (`packages/<name>/<name>.<version>/opam`). */
  static fromDirectory(dir: string): Universe {
    const u = new Universe();
    const root = join(dir, 'packages');
    for (const name of readdirSync(root)) {
      const pkgDir = join(root, name);
      if (!statSync(pkgDir).isDirectory()) continue;
      for (const rel of readdirSync(pkgDir)) {
        let text: string;
        try {
          text = readFileSync(join(pkgDir, rel, 'opam'), 'utf8');
        } catch {
          continue;
        }
        u.add(rel, text);
      }
    }
    u.sort();
    return u;
  }

  /**
   * This universe with the names of `entries` replaced by those releases alone (pinned packages:
   * the repository's own opam files). The other names' lists are shared, not copied, so a
   * universe loaded once per opam-repository commit serves every analysis unchanged.
   */
  withPinned(entries: Iterable<[string, string]>): Universe {
    const pinned = Universe.fromTexts(entries);
    // Pinned to a directory: opam's is_dev_package holds, so `dev` filters are true for them.
    for (const list of pinned.byName.values()) for (const r of list) r.dev = true;
    const u = new Universe();
    for (const [name, list] of this.byName) u.byName.set(name, list);
    for (const [name, list] of pinned.byName) u.byName.set(name, list);
    u.unreadable.push(...this.unreadable, ...pinned.unreadable);
    return u;
  }

  add(pkg: string, text: string): void {
    const dot = pkg.indexOf('.');
    if (dot <= 0) return;
    const name = pkg.slice(0, dot);
    const version = pkg.slice(dot + 1);
    let file: OpamFile;
    try {
      file = parseOpamFile(text, { file: pkg });
    } catch (e) {
      if (e instanceof OpamParseError) {
        this.unreadable.push(`${pkg}: ${e.message}`);
        return;
      }
      throw e;
    }
    const loose = <K extends KnownField>(f: K): FieldType<K> | undefined => {
      try {
        return readField(file, f);
      } catch (e) {
        if (e instanceof OpamFieldError) return undefined;
        throw e;
      }
    };
    let dev = false;
    try {
      const url = readUrl(file);
      dev = url !== undefined && url.checksums.length === 0 && url.src !== undefined && !/^(https?|ftp):/.test(url.src);
    } catch {
      dev = false;
    }
    const release: Release = {
      name,
      version,
      depends: loose('depends') ?? EMPTY,
      depopts: loose('depopts') ?? EMPTY,
      conflicts: loose('conflicts') ?? EMPTY,
      conflictClass: loose('conflict-class') ?? [],
      available: loose('available') ?? { kind: 'bool', value: true },
      flags: loose('flags') ?? [],
      dev,
    };
    const list = this.byName.get(name);
    if (list) list.push(release);
    else this.byName.set(name, [release]);
  }

  private sort(): void {
    for (const list of this.byName.values()) list.sort((a, b) => compareVersions(b.version, a.version));
  }

  get(name: string, version: string): Release | undefined {
    return this.byName.get(name)?.find((r) => r.version === version);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byName.values()) n += l.length;
    return n;
  }
}
