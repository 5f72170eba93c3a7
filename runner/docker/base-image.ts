import type Docker from 'dockerode';
import { ImageUnavailableError } from './errors.ts';

/** What the executor needs of the image a build starts `from`. */
export interface BaseImage {
  ref: string;
  /** The content-addressed id ("sha256:…"): the parent of the first step's key. */
  id: string;
  architecture: string;
  workdir: string;
  user: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
}

const ARCH_ALIASES: Record<string, string> = { aarch64: 'arm64', x86_64: 'amd64', ppc64el: 'ppc64le' };
export const normaliseArch = (arch: string): string => ARCH_ALIASES[arch] ?? arch;

const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

async function inspect(docker: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(ref).inspect();
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw e;
  }
}

async function pull(docker: Docker, ref: string, platform: string, signal?: AbortSignal): Promise<void> {
  const stream = await docker.pull(ref, { platform, ...(signal === undefined ? {} : { abortSignal: signal }) });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

/**
 * Finds `ref` for `platform` ("linux/arm64"), pulling it when it is absent or built for another
 * architecture. An image of the wrong architecture is refused rather than run: an arm64 job must
 * never silently build on amd64.
 */
export async function resolveBaseImage(docker: Docker, ref: string, platform: string, signal?: AbortSignal): Promise<BaseImage> {
  const wanted = normaliseArch(platform.split('/')[1] ?? '');
  let info = await inspect(docker, ref);
  if (info === undefined || normaliseArch(info.Architecture) !== wanted) {
    try {
      await pull(docker, ref, platform, signal);
    } catch (e) {
      const detail = info === undefined ? 'not found locally, and pulling it failed' : `it is built for ${info.Architecture}, and pulling ${platform} failed`;
      throw new ImageUnavailableError(ref, platform, `${detail}: ${(e as Error).message}`, { cause: e });
    }
    info = await inspect(docker, ref);
    if (info === undefined) throw new ImageUnavailableError(ref, platform, 'still missing after a pull');
    if (normaliseArch(info.Architecture) !== wanted) {
      throw new ImageUnavailableError(ref, platform, `it is built for ${info.Architecture}`);
    }
  }
  const config = info.Config as Docker.ImageInspectInfo['Config'] | null;
  const entrypoint = config?.Entrypoint;
  return {
    ref,
    id: info.Id,
    architecture: info.Architecture,
    workdir: config?.WorkingDir || '/',
    user: config?.User ?? '',
    cmd: config?.Cmd ?? null,
    entrypoint: entrypoint === undefined || entrypoint === null ? null : typeof entrypoint === 'string' ? [entrypoint] : entrypoint,
  };
}

/**
 * The owner given to copied files when no `user` step says: the image's `User` when it is numeric
 * ("1000", "1000:1000"; a lone uid stands for its own group), else root. Specs that care set a
 * `user` step, as ocaml-ci's do.
 */
export function numericUser(user: string): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (m === null) return { uid: 0, gid: 0 };
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}
