import { BUILTIN_OCAML_RELEASES } from './ocaml-releases.ts';
import type { Platform } from './platforms.ts';
import { majorMinor, opamArch } from './variant.ts';

/**
 * The patch release an ocaml/opam image of a given major.minor carries: ocaml-version's Releases
 * at ced8a87 for the minors before 4.14, cid's built-in list (the pinned opam-repository's latest
 * patches) from 4.14 on. ocaml-ci asks the image (`opam var`); we have no image at analysis time,
 * so a constraint such as `"ocaml" {>= "4.14.1"}` is judged against the release the image has.
 * The default catalogue names full releases, so this table only serves catalogue files that say "5.4".
 */
export const LATEST_PATCH: Readonly<Record<string, string>> = {
  '4.08': '4.08.1',
  '4.09': '4.09.1',
  '4.10': '4.10.2',
  '4.11': '4.11.2',
  '4.12': '4.12.1',
  '4.13': '4.13.1',
  ...Object.fromEntries(BUILTIN_OCAML_RELEASES.map((v) => [majorMinor(v), v])),
};

/** A full release for a platform's OCaml: as written when it has a patch part, else the table. */
export function fullOcamlVersion(version: string): string {
  if (/^\d+\.\d+\.\d+/.test(version)) return version;
  return LATEST_PATCH[version] ?? `${majorMinor(version)}.0`;
}

interface DistroFacts {
  distribution: string;
  family: string;
}

// opam derives os-distribution from /etc/os-release's ID and os-family from ID_LIKE (first word).
const DISTROS: Record<string, DistroFacts> = {
  debian: { distribution: 'debian', family: 'debian' },
  ubuntu: { distribution: 'ubuntu', family: 'debian' },
  fedora: { distribution: 'fedora', family: 'fedora' },
  alpine: { distribution: 'alpine', family: 'alpine' },
  opensuse: { distribution: 'opensuse-leap', family: 'suse' },
  'opensuse-tumbleweed': { distribution: 'opensuse-tumbleweed', family: 'suse' },
  archlinux: { distribution: 'arch', family: 'arch' },
  centos: { distribution: 'centos', family: 'rhel' },
  oraclelinux: { distribution: 'ol', family: 'rhel' },
};

/** "ubuntu-24.04" → ["ubuntu", "24.04"]; "opensuse-tumbleweed" → ["opensuse-tumbleweed", ""]. */
function splitDistro(distro: string): [string, string] {
  const m = /^(.*?)-(\d[\w.]*)$/.exec(distro);
  return m?.[1] !== undefined && m[2] !== undefined ? [m[1], m[2]] : [distro, ''];
}

/**
 * The opam variables a platform's packages are judged with: `os`, `arch`, `os-distribution`,
 * `os-family`, `os-version`, `ocaml:version`, `opam-version`. An entry's `vars` override them.
 */
export function platformVars(p: Platform): Record<string, string> {
  const [name, version] = splitDistro(p.distro);
  const facts = DISTROS[name] ?? { distribution: name, family: name };
  const vars: Record<string, string> = {
    os: 'linux',
    arch: opamArch(p.arch),
    'os-distribution': facts.distribution,
    'os-family': facts.family,
    'ocaml:version': fullOcamlVersion(p.ocamlVersion),
    // opam's own variable is a full release ("2.3.0"): "2.3" would sort below it, so a filter
    // `opam-version >= "2.3.0"` would be false on the opam 2.3 platform.
    'opam-version': /^\d+\.\d+$/.test(p.opamVersion) ? `${p.opamVersion}.0` : p.opamVersion,
  };
  if (version) vars['os-version'] = version;
  return { ...vars, ...p.vars };
}
