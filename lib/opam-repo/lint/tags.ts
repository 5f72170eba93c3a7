// The placeholder tags `dune init` writes into dune-project, which end up in the opam file.
import { rawField, rawStrings, warning } from './release.ts';
import type { Finding, Release } from './release.ts';

/** In opam-ci-check's order, which is also the order of the message. */
const DEFAULT_TAGS = ['add topics', 'topics', 'to describe', 'your', 'project'];

export function defaultTags(r: Release): Finding[] {
  const tags = new Set(rawStrings(rawField(r, 'tags')));
  const present = DEFAULT_TAGS.filter((t) => tags.has(t));
  return present.length === 0 ? [] : [warning(`The package has not replaced the following default, example tags: ${present.join(', ')}`)];
}
