// Checksums of the sources: the archive and every extra-source need one, and MD5 alone is too
// weak; so are MD5 sums of extra-files (themselves refused by ./repository-policy.ts).
import type { Item } from '../../opam/index.ts';
import { error } from './release.ts';
import type { Finding, Release } from './release.ts';

const isMd5 = (c: string): boolean => /^md5=/i.test(c) || /^[0-9a-f]{32}$/i.test(c);

/** OCaml's Filename.basename of the URL as opam prints it. */
function basename(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function weak(ctx: string, file: string, what: string): Finding {
  return error(`Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: opam field ${ctx} contains ${what} for ${file}`);
}

function checkUrl(ctx: string, src: string | undefined, checksums: readonly string[]): Finding[] {
  const file = basename(src ?? '');
  if (checksums.length === 0) return [weak(ctx, file, 'no checksum')];
  if (checksums.every(isMd5)) return [weak(ctx, file, 'only MD5 as checksum')];
  return [];
}

function sectionStrings(items: readonly Item[], name: string): string[] {
  const it = items.find((i) => i.kind === 'field' && i.name === name);
  if (it?.kind !== 'field') return [];
  return (it.value.kind === 'list' ? it.value.items : [it.value]).flatMap((v) => (v.kind === 'string' ? [v.value] : []));
}

export function checksums(r: Release): Finding[] {
  const s = r.summary;
  const out: Finding[] = [];
  if (s.url !== undefined) out.push(...checkUrl('url', s.url.src, s.url.checksums));
  for (const f of s.extraFiles) if (isMd5(f.checksum)) out.push(weak('extra-files', f.path, 'only MD5 as checksum'));
  for (const sec of r.file.items) {
    if (sec.kind !== 'section' || sec.sectionKind !== 'extra-source') continue;
    out.push(...checkUrl('extra-sources', sectionStrings(sec.items, 'src')[0], sectionStrings(sec.items, 'checksum')));
  }
  return out;
}
