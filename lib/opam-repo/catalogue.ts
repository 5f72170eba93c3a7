import type { AnalysisParams } from '../contract/index.ts';
import { isPresetName, parsePlatformCatalogue, PlatformCatalogueError, presetPlatforms } from '../analysis/index.ts';
import type { Platform } from '../analysis/index.ts';

/** The platforms an (analysis) job was given: a preset, or a catalogue file's text. */
export function platformsOf(params: AnalysisParams): Platform[] {
  const p = params.platforms;
  if ('file' in p) return parsePlatformCatalogue(p.text, p.file);
  if (!isPresetName(p.preset)) throw new PlatformCatalogueError(`unknown platform preset "${p.preset}"`);
  return presetPlatforms(p.preset);
}

/** An opam repository has a `repo` file and a `packages/` tree at its root. */
export function looksLikeOpamRepository(files: readonly string[]): boolean {
  return files.includes('repo') && files.some((f) => f.startsWith('packages/'));
}
