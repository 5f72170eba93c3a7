// The file format errors (opam lint's error 3) that cid's typed readers do not raise: fields and
// sections opam does not know, and checksums opam cannot read (OpamHash.of_string).
import type { Item, Location, Value } from '../../opam/index.ts';

/** OpamFile.OPAM's fields in opam 2.1 (`x-…` extension fields aside); any other is "Invalid field". */
const KNOWN_FIELDS = new Set([
  'opam-version', 'name', 'version', 'synopsis', 'description', 'descr', 'maintainer', 'authors', 'author', 'license', 'tags',
  'homepage', 'doc', 'bug-reports', 'dev-repo', 'depends', 'depopts', 'conflicts', 'conflict-class', 'available', 'flags',
  'setenv', 'build', 'run-test', 'install', 'remove', 'substs', 'patches', 'build-env', 'features', 'extra-files',
  'extra-sources', 'messages', 'post-messages', 'depexts', 'libraries', 'syntax', 'pin-depends', 'build-test', 'build-doc',
  'ocaml-version', 'os',
]);
const KNOWN_SECTIONS = new Set(['url', 'extra-source']);
/** Fields of the `url { … }` section (OpamFile.URL). */
const URL_FIELDS = new Set(['src', 'archive', 'http', 'git', 'hg', 'darcs', 'local', 'checksum', 'mirrors', 'subpath']);

/** `md5=…`, `sha256=…`, `sha512=…` or a bare MD5, each with its number of hex digits. */
const CHECKSUM = /^(?:md5=[0-9a-f]{32}|sha256=[0-9a-f]{64}|sha512=[0-9a-f]{128}|[0-9a-f]{32})$/i;
export const isValidChecksum = (c: string): boolean => CHECKSUM.test(c);

/** opam's columns are 0-based. */
const at = (loc: Location): string => `at line ${loc.line}, column ${Math.max(0, loc.column - 1)}`;

function badChecksums(field: string, values: readonly Value[]): string[] {
  return values.flatMap((v) =>
    v.kind === 'string' && !isValidChecksum(v.value)
      ? [
          `File format error in '${field}' ${at(v.loc)}: invalid checksum "${v.value}" ` +
            '(expected md5=, sha256= or sha512= followed by 32, 64 or 128 hex digits)',
        ]
      : [],
  );
}

const listOf = (v: Value): readonly Value[] => (v.kind === 'list' ? v.items : [v]);

/** The texts of the error-3 findings, in file order. */
export function fileFormatProblems(items: readonly Item[]): string[] {
  const out: string[] = [];
  for (const it of items) {
    if (it.kind === 'section') {
      if (!KNOWN_SECTIONS.has(it.sectionKind)) {
        out.push(`File format error in '${it.sectionKind}': Invalid section ${it.sectionKind}`);
        continue;
      }
      if (it.sectionKind !== 'url') continue;
      for (const f of it.items) {
        if (f.kind !== 'field') continue;
        if (!URL_FIELDS.has(f.name)) out.push(`File format error in 'url.${f.name}' ${at(f.loc)}: Invalid field ${f.name}`);
        else if (f.name === 'checksum') out.push(...badChecksums('url.checksum', listOf(f.value)));
      }
      continue;
    }
    if (!KNOWN_FIELDS.has(it.name) && !it.name.startsWith('x-')) {
      out.push(`File format error in '${it.name}' ${at(it.loc)}: Invalid field ${it.name}`);
    } else if (it.name === 'extra-files') {
      // [["file" "checksum"] …]: the second string of each pair.
      const pairs = listOf(it.value).flatMap((p) => (p.kind === 'list' && p.items.length === 2 ? [p.items[1] as Value] : []));
      out.push(...badChecksums('extra-files', pairs));
    }
  }
  return out;
}
