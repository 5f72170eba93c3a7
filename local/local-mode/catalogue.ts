// The platform catalogue of a cid local run: --platforms, else the operator's CID_PLATFORMS, else
// `all`. A file is read relative to where cid was started, and checked before anything starts.
import { isAbsolute, resolve } from 'node:path';
import { isPresetName, loadPlatforms, type Platform } from '../../lib/analysis/index.ts';
import { BadRequestError, CidError } from '../../lib/errors/index.ts';

export interface Catalogue {
  /** A preset name or an absolute path: what CID_PLATFORMS is set to for the run. */
  setting: string;
  platforms: Platform[];
}

export async function resolveCatalogue(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Promise<Catalogue> {
  const given = flag ?? env.CID_PLATFORMS ?? 'all';
  const setting = isPresetName(given) || isAbsolute(given) ? given : resolve(cwd, given);
  try {
    return { setting, platforms: await loadPlatforms(setting) };
  } catch (err) {
    if (!(err instanceof CidError)) throw err;
    const msg = err.message.replace(/^platforms "[^"]*" is /, `"${given}" is `);
    // Wrong input on the command line is a usage error; a bad operator setting keeps its own code.
    if (flag !== undefined) throw new BadRequestError(`--platforms: ${msg}`);
    throw new CidError(err.code, `CID_PLATFORMS: ${msg}`, { status: err.status, exitCode: err.exitCode });
  }
}
