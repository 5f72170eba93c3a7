// The part of `opam lint` (OpamFileTools.lint, which opam-ci-check runs first) that needs neither
// the network nor opam's own libraries. opam-ci-check prints each one as an error whatever opam's
// level: "Error in pkg: Opam lint warning 25: Missing field 'authors'". Numbers and texts are
// opam's; the format errors (3) carry cid's parser's reasons.
//
// Left out: 28 (unknown flags), 29/34/41 (package variables), 31, 42/49/65 (URL backends),
// 43, 45, 50/51, 55, 58, 59/60 (download and checksum of the archive), 61, 66.
import type { Command } from '../../opam/index.ts';
import { readLoose } from '../opam-file.ts';
import { fileFormatProblems } from './file-format.ts';
import { isSpdxExpression } from './license.ts';
import { urlBackend } from './url-backend.ts';
import { error, hasField, rawField } from './release.ts';
import type { Finding, Release } from './release.ts';

/** opam's OpamFile.OPAM.format_version. */
const FORMAT_VERSION = '2.0';

function opamLint(num: number, level: 'error' | 'warning', text: string, detail?: readonly string[]): Finding {
  const d = detail === undefined || detail.length === 0 ? '' : `: "${detail.join('", "')}"`;
  return error(`Opam lint ${level} ${String(num).padStart(2)}: ${text}${d}`);
}

/** opam's Descr check (47): starts with neither a blank nor a lower-case letter, ends with neither a blank nor a dot. */
const GOOD_SYNOPSIS = /^[^\sa-z][\s\S]*[^\s.]$/;

const isMake = (c: Command): boolean => c.args[0]?.kind === 'string' && c.args[0].value === 'make';

export function opamLintChecks(r: Release): Finding[] {
  const s = r.summary;
  const out: Finding[] = [];
  // Fields and sections written twice: opam's parser keeps the first, opam lint calls each repeat
  // a format error.
  for (const w of r.file.warnings) {
    const name = w.name;
    out.push(
      opamLint(
        3,
        'error',
        w.code === 'duplicate-field'
          ? `File format error in '${name}' at line ${w.line}, column ${Math.max(0, w.column - 1)}: Duplicate field ${name}`
          : `File format error in '${name}': Duplicate section ${name}`,
      ),
    );
  }

  for (const p of s.problems) {
    out.push(opamLint(3, 'error', `File format error in '${p.field ?? '?'}' at line ${p.line}, column ${Math.max(0, p.column - 1)}: ${p.reason}`));
  }
  for (const text of fileFormatProblems(r.file.items)) out.push(opamLint(3, 'error', text));
  if (s.opamVersion === undefined) out.push(error("Missing field 'opam-version'"));
  else {
    if (/^\d+\.\d+\.\d+/.test(s.opamVersion)) {
      out.push(opamLint(20, 'warning', "Field 'opam-version' refers to the patch version of opam, it should be of the form MAJOR.MINOR", [s.opamVersion]));
    }
    if (s.opamVersion !== FORMAT_VERSION) {
      out.push(opamLint(21, 'error', "Field 'opam-version' doesn't match the current version, validation may not be accurate", [s.opamVersion]));
    }
  }
  const empty = (
    [
      ['maintainer', 'maintainer'],
      ['homepage', 'homepage'],
      ['author', 'authors'],
      ['license', 'license'],
      ['doc', 'doc'],
      ['tags', 'tags'],
      ['bug_reports', 'bug-reports'],
    ] as const
  ).flatMap(([label, fieldName]) => {
    const v = rawField(r, fieldName) ?? (fieldName === 'authors' ? rawField(r, 'author') : undefined);
    const xs = v === undefined ? [] : v.kind === 'list' ? v.items : [v];
    return xs.length === 1 && xs[0]?.kind === 'string' && xs[0].value === '' ? [label] : [];
  });
  if (empty.length > 0) out.push(opamLint(22, 'error', 'Some fields are present but empty; remove or fill them', empty));
  if (s.maintainers.length === 0) out.push(opamLint(23, 'error', "Missing field 'maintainer'"));
  if (!hasField(r, 'authors') && !hasField(r, 'author')) out.push(opamLint(25, 'warning', "Missing field 'authors'"));
  if (s.homepage.length === 0) out.push(opamLint(35, 'warning', "Missing field 'homepage'"));
  if (s.bugReports.length === 0) out.push(opamLint(36, 'warning', "Missing field 'bug-reports'"));
  if (s.devRepo === undefined && s.url !== undefined) out.push(opamLint(37, 'warning', "Missing field 'dev-repo'"));
  const remove = readLoose(r.file, 'remove') ?? [];
  if ([...s.build, ...s.install, ...remove, ...s.runTest].some(isMake)) {
    out.push(opamLint(39, 'error', "Command 'make' called directly, use the built-in variable instead"));
  }
  const hasExtraSource = r.file.items.some((i) => i.kind === 'section' && i.sectionKind === 'extra-source');
  if (s.flags.includes('conf') && (s.install.length > 0 || remove.length > 0 || s.url !== undefined || hasExtraSource)) {
    out.push(opamLint(46, 'error', 'Package is flagged "conf" but has source, install or remove instructions'));
  }
  const synopsis = s.synopsis ?? '';
  if (synopsis !== '' && !GOOD_SYNOPSIS.test(synopsis)) out.push(opamLint(47, 'warning', 'Synopsis should start with a capital and not end with a dot'));
  if (hasField(r, 'build-test') || hasField(r, 'build-doc')) {
    out.push(
      opamLint(
        48,
        'warning',
        "The fields 'build-test:' and 'build-doc:' are deprecated, and should be replaced by uses of the 'with-test' and 'with-doc' filter variables in the 'build:' and 'install:' fields, and by the newer 'run-test:' field",
      ),
    );
  }
  if (synopsis === '') out.push(opamLint(57, 'error', 'Synopsis must not be empty'));
  const notSpdx = s.license.filter((l) => !isSpdxExpression(l));
  if (notSpdx.length > 0) out.push(opamLint(62, 'warning', "License doesn't adhere to the SPDX standard, see https://spdx.org/licenses/", notSpdx));
  if (s.url?.src !== undefined && s.url.checksums.length > 0 && urlBackend(s.url.src) !== 'http') {
    out.push(opamLint(67, 'error', 'Checksum specified with a non archive url', [s.url.src]));
  }
  if (s.license.length === 0) out.push(opamLint(68, 'warning', "Missing field 'license'"));
  return out;
}
