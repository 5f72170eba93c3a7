// From a commit's files to the list of jobs (ocaml-ci's extract + analyse + spec steps).
export { analyze, planJobs, BUILD_TIMEOUT_SECONDS } from './analyze.ts';
export type { AnalyzeInput, PlanOptions } from './analyze.ts';
export { AnalysisError, PlatformCatalogueError } from './errors.ts';
export { readRepoContent, selectOpamFiles, packageOfFile, MAX_OPAM_FILE_BYTES } from './repo-content.ts';
export type { FileReader, RepoContent, OpamFileEntry, LockFile, ReadRepoContentInput } from './repo-content.ts';
export type { OpamFacts, OpamVars, ReadOpam } from './opam-facts.ts';
export { readOpamFacts } from './opam-adapter.ts';
export { ocamlformatConfig } from './ocamlformat.ts';
export type { OcamlformatConfig, OcamlformatSource } from './ocamlformat.ts';
export {
  PlatformEntrySchema,
  platformsFromEntries,
  parsePlatformCatalogue,
  loadPlatforms,
  presetPlatforms,
  defaultPlatforms,
  isPresetName,
  PRESETS,
  MAIN_DISTRO,
  DEFAULT_OPAM_VERSION,
  LTS_OCAML,
  OTHER_DISTROS,
  OTHER_ARCHES,
  POOL_OF_ARCH,
} from './platforms.ts';
export type { Platform, PlatformEntry, PresetName } from './platforms.ts';
export { platformVars, fullOcamlVersion } from './opam-vars.ts';
export { BUILTIN_OCAML_RELEASES, OLDEST_SUPPORTED_OCAML, builtinOcamlReleases, latestPatches } from './ocaml-releases.ts';
export type { OcamlReleases } from './ocaml-releases.ts';
export {
  variantName,
  parseVariantName,
  opamArch,
  ARCHES,
  ANALYSIS_LABEL,
  LINT_FMT_LABEL,
  LINT_DOC_LABEL,
  LINT_OPAM_LABEL,
  LOWER_BOUND_LABEL,
} from './variant.ts';
export type { Arch, VariantParts } from './variant.ts';
export { planPlatforms, lintPlatforms, lowerBoundPlatform, canInstallOpamDuneLint } from './matrix.ts';
export type { PlannedPlatform, Dropped } from './matrix.ts';
export { opamBuildSpec, preinstalledBuildSpec, lowerBoundSpec, LOWER_BOUND_CRITERIA } from './opam-build.ts';
export { fmtSpec, docSpec, opamLintSpec } from './lint.ts';
export { DepsSolver, SOLVE_TIMEOUT_MS } from './solve-deps.ts';
export type { DepsResult } from './solve-deps.ts';
export { renderDockerfile } from './dockerfile.ts';
export type { DockerfileOptions } from './dockerfile.ts';
