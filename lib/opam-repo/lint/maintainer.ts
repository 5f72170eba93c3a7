// Someone to contact: a `bug-reports` URL or an email address among the maintainers (opam-ci-check
// only looks for an "@").
import { error } from './release.ts';
import type { Finding, Release } from './release.ts';

export function maintainerContact(r: Release): Finding[] {
  const s = r.summary;
  if (s.bugReports.length > 0 || s.maintainers.some((m) => m.includes('@'))) return [];
  return [
    error(
      `There is no way to contact the maintainer(s) '${s.maintainers.join(', ')}'. A package must either specify a url for 'bug-reports' or provide an email address in the 'maintainer' field.`,
    ),
  ];
}
