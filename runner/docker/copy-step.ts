import type Docker from 'dockerode';
import { posix } from 'node:path';
import { containerFields, containerName, createContainer, hostConfig } from './container-config.ts';
import type { CopyEntry } from './source-tree.ts';
import { commitStep } from './step-cache.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import type { TarEntry } from './tar-writer.ts';
import { tarStream } from './tar-writer.ts';

const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

/** The directories on the way to `dir` that the image lacks, outermost first. */
async function missingDirs(container: Docker.Container, dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = dir; d !== '/'; d = posix.dirname(d)) {
    try {
      // dockerode hands back the (empty) response stream: unread, it would hold its socket open.
      const res = (await container.infoArchive({ path: d })) as { destroy?: () => void } | undefined;
      res?.destroy?.();
      break;
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
      missing.unshift(d);
    }
  }
  return missing;
}

/**
 * Puts the planned files into a created (never started) container with one archive upload, then
 * commits it. Files and the directories created for them belong to the current user; directories
 * that already exist keep their owner and mode.
 */
export async function executeCopy(ctx: StepContext, dstDir: string, entries: readonly CopyEntry[]): Promise<StepOutcome> {
  const container = await createContainer(ctx.docker, {
    name: containerName(ctx.jobId, ctx.index),
    ...(ctx.labels ? { labels: ctx.labels } : {}),
    platform: ctx.platform,
    config: {
      Image: ctx.parentImage,
      // Never started: the entrypoint only satisfies Docker's "a command is required".
      Entrypoint: ['/bin/true'],
      Cmd: [],
      // No WorkingDir: Docker would create it, root-owned, at once; the copy creates it instead,
      // owned by the user, when it is (or is under) the destination. The commit records it.
      ...containerFields(ctx.config, { workdir: false }),
      HostConfig: hostConfig({ limits: ctx.limits, network: false }),
    },
  });
  try {
    const { uid, gid } = ctx.owner;
    const now = Date.now() / 1000;
    const tar: TarEntry[] = (await missingDirs(container, dstDir)).map((d) => ({
      name: d.slice(1),
      type: 'dir',
      mode: 0o755,
      uid,
      gid,
      mtime: now,
    }));
    let bytes = 0;
    for (const e of entries) {
      bytes += e.size;
      tar.push({
        name: e.dest.slice(1),
        type: e.type,
        mode: e.mode,
        uid,
        gid,
        mtime: e.mtimeMs / 1000,
        hostPath: e.hostPath,
        size: e.size,
        sha256: e.sha256,
        linkTarget: e.linkTarget,
      });
    }
    let changed: string | undefined;
    await container.putArchive(
      tarStream(tar, (p) => (changed ??= p)),
      { path: '/', abortSignal: ctx.signal },
    );
    if (ctx.signal.aborted) return { kind: 'aborted' };
    if (changed !== undefined) return { kind: 'failed', message: `${changed} changed while it was being copied` };
    const files = entries.filter((e) => e.type !== 'dir').length;
    ctx.output(`copied ${files} file${files === 1 ? '' : 's'} (${bytes} bytes) to ${dstDir}\n`);
    if (!ctx.commit) return { kind: 'ok' };
    const imageId = await commitStep(container, {
      key: ctx.tag ? ctx.key : undefined,
      parent: ctx.parentKey,
      op: 'copy',
      base: ctx.base,
      workdir: ctx.config.workdir,
    });
    return { kind: 'ok', imageId };
  } catch (e) {
    if (ctx.signal.aborted) return { kind: 'aborted' };
    throw e;
  } finally {
    ctx.defer(container.remove({ force: true, v: true }).catch(() => undefined));
  }
}
