// What .ocamlformat asks for, read as ocaml-ci's Analyse_ocamlformat does.

/** How the project gets its ocamlformat for (lint-fmt). */
export type OcamlformatSource =
  | { kind: 'opam'; version: string }
  /** The repository is ocamlformat itself (or vendors it): pin and build that copy. */
  | { kind: 'vendored'; path: string };

/** ok with undefined: no .ocamlformat, or formatting disabled; not ok: a message for the (lint-fmt) job. */
export type OcamlformatConfig = { ok: true; source: OcamlformatSource | undefined } | { ok: false; message: string };

// ocaml-ci's regexp: `version`, `=`, then one token of printable non-`#` characters, alone on its line.
const VERSION_LINE = /^\s*version\s*=\s*([^\s#]+)\s*$/;
// ocaml-ci recognises a bare `disable` line; `disable = true` is the same setting spelled out.
const DISABLE_LINE = /^\s*disable(?:\s*=\s*true)?\s*$/;

export function ocamlformatVersionOf(text: string): { versions: string[]; disabled: boolean } {
  const versions: string[] = [];
  let disabled = false;
  for (const line of text.split(/\r?\n/)) {
    const m = VERSION_LINE.exec(line);
    if (m?.[1] !== undefined) versions.push(m[1]);
    else if (DISABLE_LINE.test(line)) disabled = true;
  }
  return { versions, disabled };
}

/**
 * `dotfile` is .ocamlformat's text (undefined when there is none); `files` are the commit's paths,
 * to find `.ocamlformat-enable` files and a vendored `ocamlformat.opam`.
 */
export function ocamlformatConfig(dotfile: string | undefined, opamFiles: readonly string[], files: readonly string[]): OcamlformatConfig {
  const version = dotfileVersion(dotfile, files);
  if (!version.ok) return version;
  // As ocaml-ci: a bad .ocamlformat wins; then the repository's own ocamlformat, if it has one.
  const vendored = opamFiles.find((p) => p === 'ocamlformat.opam' || p.endsWith('/ocamlformat.opam'));
  if (vendored !== undefined) {
    const dir = vendored.includes('/') ? vendored.slice(0, vendored.lastIndexOf('/')) : '.';
    return { ok: true, source: { kind: 'vendored', path: dir } };
  }
  return version.version === undefined ? { ok: true, source: undefined } : { ok: true, source: { kind: 'opam', version: version.version } };
}

function dotfileVersion(
  dotfile: string | undefined,
  files: readonly string[],
): { ok: true; version: string | undefined } | { ok: false; message: string } {
  if (dotfile === undefined) return { ok: true, version: undefined };
  const { versions, disabled } = ocamlformatVersionOf(dotfile);
  const [version, ...more] = versions;
  if (version !== undefined && more.length === 0) return { ok: true, version };
  if (version !== undefined) return { ok: false, message: "Multiple 'version=' lines in .ocamlformat" };
  const enabledSomewhere = files.some((f) => f === '.ocamlformat-enable' || f.endsWith('/.ocamlformat-enable'));
  if (enabledSomewhere) {
    return { ok: false, message: "Missing 'version=' line in .ocamlformat (disabled, but some .ocamlformat-enable files are present)" };
  }
  if (disabled) return { ok: true, version: undefined };
  return { ok: false, message: "Missing 'version=' line in .ocamlformat" };
}
