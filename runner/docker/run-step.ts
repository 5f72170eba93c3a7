import type Docker from 'dockerode';
import type { CacheMount, Step } from '../../lib/contract/index.ts';
import { containerFields, containerName, createContainer, hostConfig } from './container-config.ts';
import { runToExit } from './container-run.ts';
import { shellEntrypoint } from './shell.ts';
import { commitStep } from './step-cache.ts';
import type { StepContext, StepOutcome } from './step-context.ts';
import { tarStream } from './tar-writer.ts';
import { prepareCacheVolumes } from './volumes.ts';

type RunStep = Extract<Step, { op: 'run' }>;

/**
 * A volume Docker just created is root's; the step's user must be able to write to it, as with
 * OBuilder's caches. One directory entry, extracted onto the mounted volume before the start, sets
 * its owner without running anything.
 */
async function giveVolumesTo(container: Docker.Container, fresh: readonly CacheMount[], owner: StepContext['owner']): Promise<void> {
  if (owner.uid === 0 && owner.gid === 0) return;
  const entries = fresh.map((c) => ({
    name: c.target.replace(/^\/+/, ''),
    type: 'dir' as const,
    mode: 0o755,
    uid: owner.uid,
    gid: owner.gid,
    mtime: Date.now() / 1000,
  }));
  await container.putArchive(tarStream(entries), { path: '/' });
}

/** Whether the container's filesystem differs from its image's (`docker diff` is not empty). */
async function changedFiles(container: Docker.Container): Promise<boolean> {
  const raw: unknown = await container.changes();
  // dockerode passes the body on unparsed when Docker omits the JSON content type ("null\n").
  const list: unknown = Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8') || 'null') : raw;
  return Array.isArray(list) && list.length > 0;
}

const mib = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MiB`;

export async function executeRun(ctx: StepContext, step: RunStep): Promise<StepOutcome> {
  const volumes = await prepareCacheVolumes(ctx.docker, step.cache, ctx.cachePrefix, ctx.pool);
  const container = await createContainer(ctx.docker, {
    name: containerName(ctx.jobId, ctx.index),
    ...(ctx.labels ? { labels: ctx.labels } : {}),
    platform: ctx.platform,
    config: {
      Image: ctx.parentImage,
      Entrypoint: shellEntrypoint(step.shell),
      Cmd: [],
      ...containerFields(ctx.config),
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      HostConfig: hostConfig({ limits: ctx.limits, network: step.network, mounts: volumes.mounts }),
    },
  });
  try {
    if (volumes.fresh.length > 0) await giveVolumesTo(container, volumes.fresh, ctx.owner);
    const out = await runToExit(container, { signal: ctx.signal, onOutput: ctx.output });
    if (out.aborted) return { kind: 'aborted' };
    if (out.exitCode !== 0) {
      const why = out.oomKilled ? ` (killed: out of memory, limit ${mib(ctx.limits.memoryBytes)})` : '';
      return { kind: 'failed', exitCode: out.exitCode, message: `exited with status ${out.exitCode}${why}`, ...(out.oomKilled ? { oomKilled: true } : {}) };
    }
    if (!ctx.commit) return { kind: 'ok' };
    // A step that changed no file (a check, a test run writing only to a cache mount) leaves the
    // parent image as it was: committing would copy the whole root filesystem on the vfs driver
    // for nothing. Listing changes is cheap on overlay2 and a tree walk on vfs.
    if (!(await changedFiles(container))) return { kind: 'ok', unchanged: true };
    const imageId = await commitStep(container, {
      key: ctx.tag ? ctx.key : undefined,
      parent: ctx.parentKey,
      op: 'run',
      base: ctx.base,
    });
    return { kind: 'ok', imageId };
  } finally {
    // Always removed, whatever happened, anonymous volumes with it (named cache volumes stay);
    // while the next step starts, the job waiting for it before it returns.
    ctx.defer(container.remove({ force: true, v: true }).catch(() => undefined));
  }
}
