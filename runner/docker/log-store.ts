import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The logs of cached steps, one file per key, replayed on a cache hit. Files rather than image
 * labels: build logs run to megabytes, and Docker keeps every image's config (labels included) in
 * the daemon's memory and in every `inspect`. A file's mtime doubles as the step's last use, for
 * eviction. Files are written next to the final name and renamed, so a reader never sees half.
 */
export const DEFAULT_MAX_LOG_BYTES = 8 * 1024 * 1024;

/** Where step logs go by default: CID_STEP_LOG_DIR, else under XDG_CACHE_HOME (see runner/config). */
export function stepLogDirOf(env: { CID_STEP_LOG_DIR?: string; XDG_CACHE_HOME?: string }): string {
  if (env.CID_STEP_LOG_DIR) return env.CID_STEP_LOG_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cid', 'step-logs');
}

let defaultDir = stepLogDirOf({});
/** Set once at start from the runner's config, for the stores the executor and pruner make. */
export const useStepLogDir = (dir: string): void => void (defaultDir = dir);
export const defaultLogStoreDir = (): string => defaultDir;

export interface StepLogWriter {
  write(text: string): void;
  /** Keeps the log under its key. */
  commit(): Promise<void>;
  /** Drops it (the step failed or was cancelled: nothing is cached). */
  discard(): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

export class StepLogStore {
  constructor(
    readonly dir: string = defaultLogStoreDir(),
    private readonly maxBytes: number = DEFAULT_MAX_LOG_BYTES,
  ) {}

  path(key: string): string {
    if (!KEY.test(key)) throw new TypeError(`not a step key: ${key}`);
    return join(this.dir, `${key}.log`);
  }

  async has(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Sends the stored log in chunks; false if there is none. Marks the step as just used. */
  async replay(key: string, onChunk: (text: string) => void): Promise<boolean> {
    const p = this.path(key);
    try {
      for await (const chunk of createReadStream(p, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
        onChunk(chunk as string);
      }
    } catch {
      return false;
    }
    await this.touch(key);
    return true;
  }

  async touch(key: string): Promise<void> {
    const now = new Date();
    await utimes(this.path(key), now, now).catch(() => undefined);
  }

  async lastUsed(key: string): Promise<Date | undefined> {
    return stat(this.path(key)).then(
      (s) => s.mtime,
      () => undefined,
    );
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async keys(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.log') && KEY.test(n.slice(0, -4))).map((n) => n.slice(0, -4));
  }

  /** Records a log as it is produced; at most `maxBytes` are kept, then a note says so. */
  async writer(key: string): Promise<StepLogWriter> {
    const final = this.path(key);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh: FileHandle = await open(tmp, 'w');
    let written = 0;
    let truncated = false;
    // Writes are chained so they land in order without the caller awaiting each one.
    let chain: Promise<unknown> = Promise.resolve();
    const append = (text: string): void => {
      chain = chain.then(() => fh.write(text)).catch(() => undefined);
    };
    const close = async (): Promise<void> => {
      await chain;
      await fh.close().catch(() => undefined);
    };
    return {
      write: (text) => {
        if (truncated) return;
        const bytes = Buffer.byteLength(text);
        if (written + bytes > this.maxBytes) {
          truncated = true;
          append(`\n[cid: the rest of this step's log was not kept: over ${this.maxBytes} bytes]\n`);
          return;
        }
        written += bytes;
        append(text);
      },
      commit: async () => {
        await close();
        await rename(tmp, final);
      },
      discard: async () => {
        await close();
        await rm(tmp, { force: true });
      },
    };
  }
}
