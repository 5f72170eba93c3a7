// opam-repository's lint rules for a changed release (opam-ci-check's `lint`, plus the parts of
// `opam lint` that matter there). Messages read as opam-repo-ci prints them:
// "Error in pkg.ver: …" / "Warning in pkg.ver: …".
import type { LintMessage } from '../contract/index.ts';
import { evalFilter, formulaAtoms, summarizePackage } from '../opam/index.ts';
import type { Command, Filter, PackageSummary } from '../opam/index.ts';
import { parseOpam } from './opam-file.ts';

export interface LintInput {
  name: string;
  version: string;
  /** The opam file's text after the merge. */
  text: string;
  /** Every file of the release directory, relative to it ("opam", "files/fix.patch"), with its git mode. */
  dirFiles: ReadonlyMap<string, string>;
}

const STRONG_CHECKSUM = /^(sha256|sha512)=[0-9a-fA-F]+$/;
/** The placeholder tags `dune init` writes. */
const DEFAULT_TAGS = new Set(['add topics', 'to describe', 'your', 'project', 'topics']);

/** The filter is false whenever `name` is: the command or dependency is gated on that variable. */
function gatedOn(f: Filter | undefined, name: string): boolean {
  if (f === undefined) return false;
  return evalFilter(f, (v) => (v === name ? false : undefined)) === false;
}

function isDuneSubst(c: Command): boolean {
  const [a, b] = c.args;
  return a?.value === 'dune' && b?.value === 'subst';
}

function checksumProblems(where: string, checksums: readonly string[]): string | undefined {
  if (checksums.length === 0) return `${where} has no checksum. Please add a SHA-256 or SHA-512 checksum.`;
  if (!checksums.some((c) => STRONG_CHECKSUM.test(c))) {
    return `Weak checksum algorithm(s) provided. Please use SHA-256 or SHA-512. Details: ${where} has ${checksums.join(', ')}`;
  }
  return undefined;
}

function contactable(s: PackageSummary): boolean {
  return s.bugReports.length > 0 || s.maintainers.some((m) => /<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?/.test(m));
}

/** Lints one release; an empty list when it is clean. */
export function lintRelease(input: LintInput): LintMessage[] {
  const pkg = `${input.name}.${input.version}`;
  const out: LintMessage[] = [];
  const error = (m: string) => out.push({ level: 'error', pkg, message: `Error in ${pkg}: ${m}` });
  const warning = (m: string) => out.push({ level: 'warning', pkg, message: `Warning in ${pkg}: ${m}` });
  const dir = `packages/${input.name}/${pkg}`;

  for (const [path, mode] of [...input.dirFiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const allowed = path === 'opam' || (path.startsWith('files/') && path.length > 'files/'.length);
    if (!allowed) error(`Unexpected file in ${dir}/${path}`);
    else if (mode !== '100644') error(`Forbidden permission for file ${dir}/${path}. All files should have permissions 644.`);
  }

  const parsed = parseOpam(input.text, `${dir}/opam`);
  if (!parsed.ok) {
    error(`Failed to parse the opam file: ${parsed.error}`);
    return out;
  }
  const s = summarizePackage(parsed.file, { name: input.name, version: input.version });
  for (const p of s.problems) error(`Bad format of field '${p.field ?? '?'}' (line ${p.line}): ${p.reason}`);
  for (const w of parsed.file.warnings) warning(w.message);

  if (s.opamVersion === undefined) error("Missing field 'opam-version'");
  else if (s.opamVersion !== '2.0') warning(`Field 'opam-version' is "${s.opamVersion}"; opam-repository files use "2.0"`);

  for (const [fieldName, expected, actual] of [
    ['name', input.name, s.name],
    ['version', input.version, s.version],
  ] as const) {
    if (actual !== expected) {
      error(`The field '${fieldName}' that doesn't match its context. Field '${fieldName}' has value '${actual ?? ''}' but was expected of value '${expected}'.`);
    } else if (parsed.file.items.some((i) => i.kind === 'field' && i.name === fieldName)) {
      warning(`Unnecessary field '${fieldName}'. It is suggested to remove it.`);
    }
  }

  if (s.maintainers.length === 0) error("Missing field 'maintainer'");
  if (!contactable(s)) {
    error(
      `There is no way to contact the maintainer(s) '${s.maintainers.join(', ')}'. A package must either have a bug-reports field or a maintainer with an email address.`,
    );
  }
  if (s.synopsis === undefined && !parsed.file.items.some((i) => i.kind === 'field' && i.name === 'description')) {
    warning("Missing field 'synopsis'");
  }
  if (s.license.length === 0) warning("Missing field 'license'");

  if (s.url !== undefined) {
    const why = checksumProblems('The source archive', s.url.checksums);
    if (why) error(why);
  }
  for (const sec of parsed.file.items) {
    if (sec.kind !== 'section' || sec.sectionKind !== 'extra-source') continue;
    const ck = sec.items.find((i) => i.kind === 'field' && i.name === 'checksum');
    const list = ck?.kind === 'field' ? (ck.value.kind === 'list' ? ck.value.items : [ck.value]).flatMap((v) => (v.kind === 'string' ? [v.value] : [])) : [];
    const why = checksumProblems(`extra-source "${sec.label ?? ''}"`, list);
    if (why) error(why);
  }

  if (s.pinDepends.length > 0) error('pin-depends present. This is not allowed in the opam-repository.');
  if (s.extraFiles.length > 0) error('extra-files present. This is not allowed in the opam-repository. Please use extra-source instead.');

  for (const a of formulaAtoms(s.depends)) {
    if (a.name !== 'dune') continue;
    const filters = formulaAtoms(a.constraint).flatMap((c) => (c.kind === 'filter' ? [c.filter] : []));
    if (filters.some((f) => gatedOn(f, 'build'))) {
      error(
        'The package tagged dune as a build dependency. Due to a bug in dune (https://github.com/ocaml/dune/issues/2147) this should never be the case. Please remove the {build} tag from its filter.',
      );
    }
  }
  if (s.build.some((c) => isDuneSubst(c) && !gatedOn(c.filter, 'dev'))) {
    error(
      `Dubious use of 'dune subst'. 'dune subst' should always only be called with {dev} (i.e. ["dune" "subst"] {dev}) If your opam file has been autogenerated by dune, you need to upgrade your dune-project to at least (lang dune 2.7).`,
    );
  }

  if (input.name.startsWith('conf-')) {
    if (!s.flags.includes('conf')) error("Package name starts with 'conf-' but the package lacks the 'conf' flag (flags: conf).");
    if (s.depexts.length === 0) warning("A 'conf-' package should list the system packages it checks for in 'depexts'.");
  }

  const tagsField = parsed.file.items.find((i) => i.kind === 'field' && i.name === 'tags');
  if (tagsField?.kind === 'field') {
    const tags = (tagsField.value.kind === 'list' ? tagsField.value.items : [tagsField.value]).flatMap((v) => (v.kind === 'string' ? [v.value] : []));
    const defaults = tags.filter((t) => DEFAULT_TAGS.has(t));
    if (defaults.length > 0) warning(`The package has not replaced the following default, example tags: ${defaults.join(', ')}`);
  }
  return out;
}
