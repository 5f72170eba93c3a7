import { readFileSync } from 'node:fs';
import type { AnalysisParams } from '../../lib/contract/index.ts';
import { ConfigError } from '../../lib/errors/index.ts';
import { isPresetName, parsePlatformCatalogue } from '../../lib/analysis/index.ts';
import type { Config } from '../config/index.ts';

/**
 * The analysis parameters from the operator's settings, checked once at start: a preset name, or a
 * YAML/JSON catalogue file whose text travels with each (analysis) job (a runner cannot read the
 * control plane's files). A bad catalogue fails start-up naming the entry.
 */
export function analysisParams(config: Pick<Config, 'platforms' | 'opamRepoCommit'>): AnalysisParams {
  const setting = config.platforms;
  if (isPresetName(setting)) return { platforms: { preset: setting }, opamRepoCommit: config.opamRepoCommit };
  let text: string;
  try {
    text = readFileSync(setting, 'utf8');
  } catch (err) {
    throw new ConfigError(`CID_PLATFORMS: "${setting}" is neither a preset (all, minimal) nor a readable file (${(err as Error).message})`);
  }
  try {
    parsePlatformCatalogue(text, setting);
  } catch (err) {
    throw new ConfigError(`CID_PLATFORMS: ${(err as Error).message}`);
  }
  return { platforms: { file: setting, text }, opamRepoCommit: config.opamRepoCommit };
}
