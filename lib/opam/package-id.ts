// Package names and versions as opam-repository lays them out: packages/<name>/<name>.<version>/opam.
import { basename, dirname } from 'node:path';

export interface PackageId {
  name: string;
  version: string;
}

/** `"dune.3.16.0"` → `{ name: "dune", version: "3.16.0" }`; names cannot contain a dot, versions can. */
export function parsePackageId(s: string): PackageId | undefined {
  const dot = s.indexOf('.');
  if (dot <= 0 || dot === s.length - 1) return undefined;
  return { name: s.slice(0, dot), version: s.slice(dot + 1) };
}

/** The package an opam-repository path is for: `…/packages/dune/dune.3.16.0/opam` → dune 3.16.0. */
export function packageIdFromPath(path: string): PackageId | undefined {
  const dir = basename(path) === 'opam' ? basename(dirname(path)) : basename(path);
  return parsePackageId(dir);
}

export function formatPackageId(id: PackageId): string {
  return `${id.name}.${id.version}`;
}
