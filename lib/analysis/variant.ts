// Job names exactly as ocaml-ci spells them (lib/variant.ml), so links, badges and people's
// habits carry over: <distro>-<ocaml major.minor>[_<arch>]_opam-<ver>.

export const ARCHES = ['x86_64', 'arm64', 'ppc64le', 's390x', 'riscv64'] as const;
export type Arch = (typeof ARCHES)[number];

export const ANALYSIS_LABEL = '(analysis)';
export const LINT_FMT_LABEL = '(lint-fmt)';
export const LINT_DOC_LABEL = '(lint-doc)';
export const LINT_OPAM_LABEL = '(lint-opam)';
/** The build with the oldest dependency versions the opam files allow (ocaml-ci's Variant.lower_bound_label). */
export const LOWER_BOUND_LABEL = '(lower-bound)';

/**
 * opam's name for an architecture (the `arch` variable), which ocaml-ci also uses in variant
 * names: opam calls ppc64le "ppc64" (Ocaml_version.to_opam_arch).
 */
export function opamArch(arch: Arch): string {
  return arch === 'ppc64le' ? 'ppc64' : arch;
}

function archOfOpam(s: string): Arch | undefined {
  if (s === 'ppc64') return 'ppc64le';
  return (ARCHES as readonly string[]).includes(s) && s !== 'ppc64le' ? (s as Arch) : undefined;
}

/** "5.3.0" → "5.3"; anything without a minor part is returned as it is. */
export function majorMinor(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}

export interface VariantParts {
  distro: string;
  ocamlVersion: string;
  arch: Arch;
  opamVersion: string;
}

export function variantName(p: VariantParts): string {
  const arch = p.arch === 'x86_64' ? '' : `_${opamArch(p.arch)}`;
  return `${p.distro}-${majorMinor(p.ocamlVersion)}${arch}_opam-${p.opamVersion}`;
}

/** The inverse of `variantName`; undefined for lint labels and anything else. */
export function parseVariantName(name: string): VariantParts | undefined {
  const m = /^(.+)-(\d+\.\d+)(?:_([a-z0-9_]+?))?_opam-(\d+\.\d+)$/.exec(name);
  if (!m) return undefined;
  const [, distro, ocamlVersion, archPart, opamVersion] = m;
  if (distro === undefined || ocamlVersion === undefined || opamVersion === undefined) return undefined;
  const arch = archPart === undefined ? 'x86_64' : archOfOpam(archPart);
  if (arch === undefined || (arch === 'x86_64' && archPart !== undefined)) return undefined;
  return { distro, ocamlVersion, arch, opamVersion };
}
