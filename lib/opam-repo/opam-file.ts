// Small questions about one opam file of the repository, on top of app/opam.
import { field, formatValue, OpamFieldError, OpamParseError, parseOpamFile, readField, sections } from '../opam/index.ts';
import type { FieldType, Item, KnownField, OpamFile, Value } from '../opam/index.ts';

export type Parsed = { ok: true; file: OpamFile } | { ok: false; error: string };

/** Parses without throwing: a broken file is a lint error, not a crash of the analysis. */
export function parseOpam(text: string, path: string): Parsed {
  try {
    return { ok: true, file: parseOpamFile(text, { file: path }) };
  } catch (err) {
    if (err instanceof OpamParseError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Reads a field as opam's non-strict mode does: malformed means absent. */
export function readLoose<K extends KnownField>(file: OpamFile, name: K): FieldType<K> | undefined {
  try {
    return readField(file, name);
  } catch (err) {
    if (err instanceof OpamFieldError) return undefined;
    throw err;
  }
}

function valueMentions(v: Value, ident: string): boolean {
  switch (v.kind) {
    case 'ident':
      return v.name === ident;
    case 'string':
    case 'bool':
    case 'int':
      return false;
    case 'list':
    case 'group':
      return v.items.some((x) => valueMentions(x, ident));
    case 'option':
      return valueMentions(v.value, ident) || v.options.some((x) => valueMentions(x, ident));
    case 'relop':
    case 'logop':
      return valueMentions(v.left, ident) || valueMentions(v.right, ident);
    case 'prefix-relop':
    case 'pfxop':
      return valueMentions(v.operand, ident);
    case 'env-binding':
      return valueMentions(v.name, ident) || valueMentions(v.value, ident);
  }
}

const itemMentions = (it: Item, ident: string): boolean =>
  it.kind === 'field' ? valueMentions(it.value, ident) : it.items.some((x) => itemMentions(x, ident));

/** opam-repo-ci's has_tests: a non-empty `run-test:` or a `with-test` filter anywhere. */
export function hasTests(file: OpamFile): boolean {
  const runTest = readLoose(file, 'run-test');
  if (runTest !== undefined && runTest.length > 0) return true;
  return file.items.some((it) => itemMentions(it, 'with-test'));
}

/** `available: false` as written: such a release is kept for history and never built. */
export function isUnavailable(file: OpamFile): boolean {
  const a = readLoose(file, 'available');
  return a?.kind === 'bool' && a.value === false;
}

// --- Effective equality (OpamFile.OPAM.effectively_equal, plus opam-repo-ci's own checks) ------

/** Fields that change what gets built; metadata (maintainer, description, tags…) does not. */
const EFFECTIVE_FIELDS = [
  'name',
  'version',
  'depends',
  'depopts',
  'conflicts',
  'conflict-class',
  'available',
  'setenv',
  'build',
  'run-test',
  'build-test',
  'install',
  'remove',
  'substs',
  'patches',
  'build-env',
  'features',
  'extra-files',
  // opam-repo-ci rebuilds when these change even though opam does not count them.
  'depexts',
] as const;
/** Flags opam's effective_part drops. */
const IGNORED_FLAGS = new Set(['light-uninstall', 'verbose', 'plugin', 'compiler', 'conf', 'avoid-version', 'deprecated']);

function sectionKey(file: OpamFile, kind: string, keepField: (name: string) => boolean): string[] {
  return sections(file, kind).map(
    (s) =>
      `${s.label ?? ''}{${s.items
        .filter((i) => i.kind === 'field' && keepField(i.name))
        .map((i) => (i.kind === 'field' ? `${i.name}:${formatValue(i.value)}` : ''))
        .join(';')}}`,
  );
}

/** A canonical text of everything that matters for a build: equal keys, nothing to rebuild. */
export function effectiveKey(file: OpamFile): string {
  const parts: string[] = [];
  for (const name of EFFECTIVE_FIELDS) {
    const v = field(file, name);
    parts.push(`${name}=${v === undefined ? '' : formatValue(v)}`);
  }
  const flags = (readLoose(file, 'flags') ?? []).filter((f) => !IGNORED_FLAGS.has(f));
  parts.push(`flags=${flags.join(' ')}`);
  // The archive and its checksums count; mirrors do not.
  parts.push(`url=${sectionKey(file, 'url', (n) => n !== 'mirrors').join('')}`);
  parts.push(`extra-source=${sectionKey(file, 'extra-source', () => true).join('')}`);
  const xci = file.items
    .filter((i) => i.kind === 'field' && i.name.startsWith('x-ci-'))
    .map((i) => (i.kind === 'field' ? `${i.name}=${formatValue(i.value)}` : ''))
    .sort();
  parts.push(`x-ci=${xci.join(';')}`);
  return parts.join('\n');
}
