// The release being linted, parsed once and shared by every check, and how a check reports.
import { summarizePackage } from '../../opam/index.ts';
import type { OpamFile, PackageSummary, Value } from '../../opam/index.ts';

export interface Release {
  name: string;
  version: string;
  /** "name.version" */
  pkg: string;
  /** "packages/name/name.version" */
  dir: string;
  file: OpamFile;
  summary: PackageSummary;
}

/** One finding of a check, before the "Error in pkg: " / "Warning in pkg: " prefix. */
export interface Finding {
  level: 'error' | 'warning';
  text: string;
}

export const error = (text: string): Finding => ({ level: 'error', text });
export const warning = (text: string): Finding => ({ level: 'warning', text });

export type Check = (r: Release) => Finding[];

export function makeRelease(name: string, version: string, file: OpamFile): Release {
  const pkg = `${name}.${version}`;
  return { name, version, pkg, dir: `packages/${name}/${pkg}`, file, summary: summarizePackage(file, { name, version }) };
}

/** The value of a top-level field as written (the first, as opam reads it). */
export function rawField(r: Release, name: string): Value | undefined {
  for (const it of r.file.items) if (it.kind === 'field' && it.name === name) return it.value;
  return undefined;
}

export const hasField = (r: Release, name: string): boolean => rawField(r, name) !== undefined;

/** The strings of a field that is a string or a list of strings (others are skipped). */
export function rawStrings(v: Value | undefined): string[] {
  if (v === undefined) return [];
  return (v.kind === 'list' ? v.items : [v]).flatMap((x) => (x.kind === 'string' ? [x.value] : []));
}
