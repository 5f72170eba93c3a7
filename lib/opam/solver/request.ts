// Parsing what a user asks for: `lwt`, `lwt.5.9.1`, `lwt>=5.7`, `lwt<6`, `lwt=5.9.1`.
import type { RelOp } from '../ast.ts';
import type { Formula } from '../formula.ts';
import { EMPTY, atom, and } from '../formula.ts';
import type { VersionConstraint } from '../package-formula.ts';
import { BadPackageRequestError } from './errors.ts';

export interface PackageRequest {
  name: string;
  constraint: Formula<VersionConstraint>;
  /** As the user wrote it, for messages. */
  text: string;
}

// opam's package name grammar: letters, digits and `_-+`, not only digits.
const NAME = /^[A-Za-z0-9_+-]*[A-Za-z_+-][A-Za-z0-9_+-]*$/;
const VERSION = /^[A-Za-z0-9_+.~-]+$/;

export function isValidPackageName(s: string): boolean {
  return NAME.test(s);
}

export function parsePackageRequest(text: string): PackageRequest {
  const s = text.trim();
  const m = /^([^<>=!.]+)(?:\.([^<>=!]+)|((?:[<>]=?|!=|=)[^<>=!&]+(?:&(?:[<>]=?|!=|=)[^<>=!&]+)*))?$/.exec(s);
  const bad = (why: string): never => {
    throw new BadPackageRequestError(`bad package "${text}": ${why} (write name, name.version or name>=version)`);
  };
  if (!m) return bad('not a package name or constraint');
  const name = m[1]!;
  if (!NAME.test(name)) bad(`"${name}" is not a package name (letters, digits, "_", "-", "+")`);
  if (m[2] !== undefined) {
    if (!VERSION.test(m[2])) bad(`"${m[2]}" is not a version`);
    return { name, constraint: atom({ op: '=', version: m[2] }), text: s };
  }
  let constraint: Formula<VersionConstraint> = EMPTY;
  for (const part of (m[3] ?? '').split('&').filter(Boolean)) {
    const c = /^([<>]=?|!=|=)(.+)$/.exec(part)!;
    const version = c[2]!.trim();
    if (!VERSION.test(version)) bad(`"${version}" is not a version`);
    constraint = and(constraint, atom({ op: c[1] as RelOp, version }));
  }
  return { name, constraint, text: s };
}
