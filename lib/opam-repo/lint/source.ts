// opam-ci-check downloads each release's source before it lints; without a `url` there is nothing
// to download, which it reports unless the package is a conf package (those have no source).
// A download that fails is reported the same way there; cid does not download (the build jobs do).
import { error } from './release.ts';
import type { Finding, Release } from './release.ts';

export function packageSource(r: Release): Finding[] {
  if (r.summary.url !== undefined || r.summary.flags.includes('conf')) return [];
  return [error('No package source directory provided.')];
}
