// `name:` and `version:` in an opam-repository file: the directory says them already, so a written
// one is unnecessary (a warning), and one that disagrees with the directory is an error.
import { error, hasField, warning } from './release.ts';
import type { Finding, Release } from './release.ts';

export function nameAndVersionFields(r: Release): Finding[] {
  const out: Finding[] = [];
  for (const [fieldName, expected, actual] of [
    ['name', r.name, r.summary.name],
    ['version', r.version, r.summary.version],
  ] as const) {
    if (!hasField(r, fieldName)) continue;
    if (actual === expected) out.push(warning(`Unnecessary field '${fieldName}'. It is suggested to remove it.`));
    else {
      out.push(
        error(`The field '${fieldName}' that doesn't match its context. Field '${fieldName}' has value '${actual ?? ''}' but was expected of value '${expected}'.`),
      );
    }
  }
  return out;
}
