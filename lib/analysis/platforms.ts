import { readFile as fsReadFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Pool } from '../contract/index.ts';
import { PlatformCatalogueError } from './errors.ts';
import { BUILTIN_OCAML_RELEASES, OLDEST_SUPPORTED_OCAML } from './ocaml-releases.ts';
import { ARCHES, majorMinor, variantName } from './variant.ts';
import type { Arch } from './variant.ts';

/** One place a build can run: a base image on a pool of runners. */
export interface Platform {
  /** The job name, e.g. "debian-13-5.5_arm64_opam-2.5". */
  variant: string;
  distro: string;
  /** "5.4" or a full release "5.4.1" (the default catalogue names full releases). */
  ocamlVersion: string;
  arch: Arch;
  opamVersion: string;
  /** Docker image, optionally digest-pinned (name@sha256:…). */
  image: string;
  pool: Pool;
  /** The image has OCaml and dune but no opam: build with `dune build` directly, offline. */
  preinstalled: boolean;
  /** Failures never fail the commit. */
  experimental: boolean;
  /**
   * May host the (lower-bound) job: ocaml-ci's `lower_bound` platforms. The job runs on the one
   * with the lowest OCaml that the roots accept. Only x86_64 platforms with opam.
   */
  lowerBound: boolean;
  /** opam variables that override the ones derived from the distro name (see opam-vars.ts). */
  vars: Record<string, string>;
  /** Extra environment for every build on this platform (ENV steps right after the base image). */
  env: Record<string, string>;
}

// --- The default catalogue, as ocaml-ci's service/conf.ml builds it (at ocaml-ci 1b54c5e) ------

/** The main distro: Debian stable, as ocaml-ci's Dockerfile_opam.Distro.master_distro. */
export const MAIN_DISTRO = 'debian-13';
/** ocaml-ci builds with opam 2.5 everywhere (`V2_5` in conf.ml). */
export const DEFAULT_OPAM_VERSION = '2.5';
/**
 * The long-term-support release: ocaml-ci's `default_compilers` are it and the latest release.
 * The releases themselves come from the pinned opam-repository (see ocaml-releases.ts).
 */
export const LTS_OCAML = OLDEST_SUPPORTED_OCAML;
/**
 * The other active tier-1/tier-2 x86_64 distros of ocaml-dockerfile that ocaml-ci builds on
 * with {4.14, latest}; trimmed to the newest Fedora and the Ubuntu LTS releases to keep the
 * matrix affordable. Arch Linux is tier 3 there, so ocaml-ci does not use it and neither do we.
 */
export const OTHER_DISTROS = [
  'debian-12',
  'ubuntu-22.04',
  'ubuntu-24.04',
  'ubuntu-26.04',
  'fedora-44',
  'alpine-3.24',
  'opensuse-16.0',
] as const;
/** Architectures other than x86_64, built with the latest OCaml on the main distro. */
export const OTHER_ARCHES: readonly Arch[] = ['arm64', 'ppc64le', 's390x', 'riscv64'];

export const POOL_OF_ARCH: Record<Arch, Pool> = {
  x86_64: 'linux-x86_64',
  arm64: 'linux-arm64',
  ppc64le: 'linux-ppc64le',
  s390x: 'linux-s390x',
  riscv64: 'linux-riscv64',
};

/** ocaml/opam's tag for a distro and release (Variant.docker_tag in ocaml-ci). */
export const defaultImage = (distro: string, ocamlVersion: string): string =>
  `ocaml/opam:${distro}-ocaml-${majorMinor(ocamlVersion)}`;

// --- Validation ------------------------------------------------------------------------------

const IMAGE_RE =
  /^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

/** An entry as an operator writes it in a catalogue file. */
export const PlatformEntrySchema = z.strictObject({
  distro: z
    .string()
    .regex(/^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/, 'must be a distro tag such as "debian-12" or "ubuntu-24.04"'),
  ocamlVersion: z.string().regex(/^\d+\.\d+(?:\.\d+)?$/, 'must be an OCaml release such as "5.3" or "5.3.0"'),
  arch: z.enum(ARCHES, { error: `must be one of ${ARCHES.join(', ')}` }).default('x86_64'),
  opamVersion: z
    .string()
    .regex(/^2\.\d+$/, 'must be an opam 2.x release such as "2.3"')
    .default(DEFAULT_OPAM_VERSION),
  image: z
    .string()
    .regex(IMAGE_RE, 'must be a Docker image reference such as "ocaml/opam:debian-12-ocaml-5.3", optionally @sha256:<64 hex digits>')
    .optional(),
  /** Always the arch's pool; accepted so a catalogue can spell it out, but it must agree. */
  pool: z.string().optional(),
  preinstalled: z.boolean().default(false),
  experimental: z.boolean().default(false),
  lowerBound: z.boolean().default(false),
  vars: z
    .record(z.string().regex(/^[a-z][a-z0-9:_-]*$/, 'opam variable names are lower-case'), z.string())
    .optional(),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string())
    .optional(),
});
export type PlatformEntry = z.input<typeof PlatformEntrySchema>;

const CatalogueFileSchema = z.union([z.array(z.unknown()), z.object({ platforms: z.array(z.unknown()) })]);

/** Whether the entry lacks the field an issue is about (zod v4 issues do not carry the input). */
function isMissing(raw: unknown, path: readonly PropertyKey[]): boolean {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !(k in v)) return true;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v === undefined;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(PlatformEntrySchema.shape).join(', ');
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${field ? ` in ${field}` : ''} (known fields: ${known})`;
  }
  if (issue.code === 'invalid_type') {
    if (field !== '' && isMissing(raw, issue.path)) return `${field} is required`;
    return `${field || 'the entry'} must be ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
  }
  return field ? `${field} ${issue.message}` : issue.message;
}

function entryLabel(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return '';
  const r = raw as Record<string, unknown>;
  const distro = typeof r.distro === 'string' ? r.distro : undefined;
  const ocaml = typeof r.ocamlVersion === 'string' ? r.ocamlVersion : undefined;
  const label = [distro, ocaml].filter((x) => x !== undefined).join('-');
  return label ? ` (${label})` : '';
}

/**
 * Validates catalogue entries and completes them (variant name, pool, image). `source` names
 * the file in errors. Every bad entry is reported, one per line.
 */
export function platformsFromEntries(entries: readonly unknown[], source = 'platforms'): Platform[] {
  if (entries.length === 0) throw new PlatformCatalogueError(`${source}: the catalogue lists no platforms`);
  const errors: string[] = [];
  const out: Platform[] = [];
  const seen = new Map<string, number>();
  entries.forEach((raw, i) => {
    const where = `${source}: entry ${i + 1}${entryLabel(raw)}`;
    const r = PlatformEntrySchema.safeParse(raw);
    if (!r.success) {
      errors.push(`${where}: ${r.error.issues.map((iss) => describeIssue(iss, raw)).join('; ')}`);
      return;
    }
    const e = r.data;
    const pool = POOL_OF_ARCH[e.arch];
    if (e.pool !== undefined && e.pool !== pool) {
      errors.push(`${where}: pool must be ${pool} for arch ${e.arch} (it follows from arch; leave it out)`);
      return;
    }
    // As ocaml-ci, the (lower-bound) job runs on linux x86_64, and it needs opam to solve.
    if (e.lowerBound && e.preinstalled) {
      errors.push(`${where}: lowerBound needs opam, which a preinstalled image does not have`);
      return;
    }
    if (e.lowerBound && e.arch !== 'x86_64') {
      errors.push(`${where}: lowerBound is for x86_64 platforms only (the (lower-bound) job runs there, as in ocaml-ci)`);
      return;
    }
    const variant = variantName(e);
    const previous = seen.get(variant);
    if (previous !== undefined) {
      errors.push(`${where}: same variant ${variant} as entry ${previous + 1}; change distro, ocamlVersion, arch or opamVersion`);
      return;
    }
    seen.set(variant, i);
    out.push({
      variant,
      distro: e.distro,
      ocamlVersion: e.ocamlVersion,
      arch: e.arch,
      opamVersion: e.opamVersion,
      image: e.image ?? defaultImage(e.distro, e.ocamlVersion),
      pool,
      preinstalled: e.preinstalled,
      experimental: e.experimental,
      lowerBound: e.lowerBound,
      vars: e.vars ?? {},
      env: e.env ?? {},
    });
  });
  if (errors.length > 0) throw new PlatformCatalogueError(errors.join('\n'));
  return out;
}

/** Parses a catalogue file's text (YAML, or JSON by its extension): a list, or `platforms:` holding one. */
export function parsePlatformCatalogue(text: string, fileName: string): Platform[] {
  let doc: unknown;
  try {
    doc = extname(fileName).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const kind = extname(fileName).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    const at = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new PlatformCatalogueError(`${fileName}: not valid ${kind}${at}: ${msg}`);
  }
  const top = CatalogueFileSchema.safeParse(doc);
  if (!top.success) {
    throw new PlatformCatalogueError(`${fileName}: expected a list of platforms, or a mapping with a "platforms" list`);
  }
  return platformsFromEntries(Array.isArray(top.data) ? top.data : top.data.platforms, fileName);
}

// --- Presets ---------------------------------------------------------------------------------

const entry = (distro: string, ocamlVersion: string, arch: Arch = 'x86_64', lowerBound = false): PlatformEntry => ({
  distro,
  ocamlVersion,
  arch,
  opamVersion: DEFAULT_OPAM_VERSION,
  ...(lowerBound ? { lowerBound } : {}),
});

/** The newest release and the LTS one (4.14's latest patch; the oldest given if 4.14 is missing). */
function latestAndLts(releases: readonly string[]): { latest: string; lts: string } {
  const latest = releases[0];
  const oldest = releases[releases.length - 1];
  if (latest === undefined || oldest === undefined) throw new PlatformCatalogueError('the default catalogue needs at least one OCaml release');
  return { latest, lts: releases.find((v) => majorMinor(v) === LTS_OCAML) ?? oldest };
}

/**
 * ocaml-ci's `All` profile (minus flambda, macOS, BSDs and Windows): the main distro with every
 * release, newest first (ocaml-ci lints on that order), each also a candidate for the
 * (lower-bound) job as ocaml-ci's lower-bound platforms are, the other distros with
 * {latest, 4.14}, then the other architectures with the latest release. `releases` are full
 * releases, one per minor, newest first: the variant names keep major.minor ("debian-13-5.5_opam-2.5").
 */
function allEntries(releases: readonly string[]): PlatformEntry[] {
  const { latest, lts } = latestAndLts(releases);
  return [
    ...releases.map((v) => entry(MAIN_DISTRO, v, 'x86_64', true)),
    ...OTHER_DISTROS.flatMap((d) => [entry(d, latest), entry(d, lts)]),
    ...OTHER_ARCHES.map((a) => entry(MAIN_DISTRO, latest, a)),
  ];
}

/**
 * ocaml-ci's `Minimal` profile: the main distro with the latest release and 4.14, x86_64 only,
 * and, as there, no (lower-bound) job.
 */
function minimalEntries(releases: readonly string[]): PlatformEntry[] {
  const { latest, lts } = latestAndLts(releases);
  return [entry(MAIN_DISTRO, latest), entry(MAIN_DISTRO, lts)];
}

export const PRESETS = { all: allEntries, minimal: minimalEntries } as const;
export type PresetName = keyof typeof PRESETS;
export const isPresetName = (s: string): s is PresetName => Object.hasOwn(PRESETS, s);

/**
 * A preset made of `releases` (latest patch per minor, newest first): those of the pinned
 * opam-repository when the (analysis) job could read it, else cid's built-in list.
 */
export function presetPlatforms(name: PresetName, releases: readonly string[] = BUILTIN_OCAML_RELEASES): Platform[] {
  return platformsFromEntries(PRESETS[name](releases), `preset ${name}`);
}

/** The default catalogue (`all`). */
export const defaultPlatforms = (releases: readonly string[] = BUILTIN_OCAML_RELEASES): Platform[] => presetPlatforms('all', releases);

/**
 * Resolves the operator's setting (CID_PLATFORMS): a preset name, or the path of a YAML or
 * JSON catalogue file that replaces the default.
 */
export async function loadPlatforms(
  setting: string,
  readFile: (path: string) => Promise<string> = (p) => fsReadFile(p, 'utf8'),
): Promise<Platform[]> {
  if (isPresetName(setting)) return presetPlatforms(setting);
  let text: string;
  try {
    text = await readFile(setting);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new PlatformCatalogueError(
      `platforms "${setting}" is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a readable file: ${why}`,
    );
  }
  return parsePlatformCatalogue(text, setting);
}
